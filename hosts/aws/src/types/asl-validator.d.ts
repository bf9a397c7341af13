declare module "asl-validator" {
  interface AslValidatorResult {
    isValid: boolean;
    errors: Array<{ message?: string; "Error code"?: string }>;
    errorsText(separator?: string): string;
  }
  interface AslValidatorOptions {
    checkPaths?: boolean;
    checkArn?: boolean;
  }
  export default function aslValidator(
    definition: unknown,
    options?: AslValidatorOptions,
  ): AslValidatorResult;
}
