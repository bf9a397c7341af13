export interface AssetSize {
  file: string;
  bytes: number;
  gzipBytes: number;
}
export declare function bundleSizes(distDir: string): {
  files: AssetSize[];
  total: { bytes: number; gzipBytes: number; count: number };
  initial: { bytes: number; gzipBytes: number; files: string[] };
};
export declare const kib: (n: number) => string;
