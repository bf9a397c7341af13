export declare const webDir: string;
export declare const stampFile: string;
export declare function sourceHash(): string;
