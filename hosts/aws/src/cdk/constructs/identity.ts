import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as cognito from "aws-cdk-lib/aws-cognito";
import { Construct } from "constructs";

/** The seed's roles, their Cognito groups (the role is also `custom:role`), most privileged first. */
export const ROLE_GROUPS = [
  { group: "DRSAdmins", role: "DRSAdmin", description: "Full access, user and account administration" },
  {
    group: "DRSOperators",
    role: "DRSOperator",
    description: "Runs drills and recoveries, edits groups and plans",
  },
  { group: "DRSAuditors", role: "DRSAuditor", description: "Reads everything including the audit log" },
  { group: "DRSCrossAccount", role: "DRSCrossAccount", description: "Manages cross-account configuration" },
  { group: "DRSViewers", role: "DRSViewer", description: "Read-only" },
] as const;

export interface IdentityProps {
  userPoolName: string;
  clientName: string;
  /** Default OPTIONAL (TOTP), as in the seed; REQUIRED for stricter deployments. */
  mfa?: cognito.Mfa;
  /** Default RETAIN: users outlive the stack. */
  removalPolicy?: RemovalPolicy;
}

/**
 * Cognito as the seed configures it: e-mail sign-in, no self sign-up, password policy (8+ characters with
 * upper case, lower case and digits), optional TOTP MFA, a mutable `custom:role` attribute, one group per
 * role, 45-minute ID/access tokens and 30-day refresh tokens, SRP and refresh flows only, no client secret
 * (a browser app), threat protection (Plus feature plan) enforced.
 */
export class Identity extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, "UserPool", {
      userPoolName: props.userPoolName,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: { role: new cognito.StringAttribute({ minLen: 1, maxLen: 32, mutable: true }) },
      passwordPolicy: {
        minLength: 8,
        requireUppercase: true,
        requireLowercase: true,
        requireDigits: true,
        requireSymbols: false,
        tempPasswordValidity: Duration.days(7),
      },
      mfa: props.mfa ?? cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deviceTracking: { challengeRequiredOnNewDevice: false, deviceOnlyRememberedOnUserPrompt: true },
      deletionProtection: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      userInvitation: {
        emailSubject: "Your DRS Orchestrator account",
        emailBody:
          "An administrator created a DRS Orchestrator account for {username}. Your temporary password is {####} — you will choose a new one at first sign-in.",
      },
    });
    ROLE_GROUPS.forEach((g, index) => {
      new cognito.CfnUserPoolGroup(this, `Group${g.group}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: g.group,
        description: `${g.role}: ${g.description}`,
        precedence: index,
      });
    });
    this.client = this.userPool.addClient("WebClient", {
      userPoolClientName: props.clientName,
      generateSecret: false,
      authFlows: { userSrp: true, user: false, userPassword: false, adminUserPassword: false, custom: false },
      accessTokenValidity: Duration.minutes(45),
      idTokenValidity: Duration.minutes(45),
      refreshTokenValidity: Duration.days(30),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true })
        .withCustomAttributes("role"),
      // Users may change their e-mail but never their own role.
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true }),
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
    });
  }
}
