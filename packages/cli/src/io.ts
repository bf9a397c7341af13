import { createInterface } from "node:readline/promises";

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Everything the CLI touches outside itself, so that tests run commands in-process. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** True when a person can answer prompts. */
  interactive: boolean;
  env: Record<string, string | undefined>;
  fetch: (request: Request) => Promise<Response>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Asks a question on the terminal (only called when `interactive`). */
  prompt: (question: string, options?: { secret?: boolean }) => Promise<string>;
  /** Resolves when the user presses Ctrl-C (the watch view detaches then). */
  onInterrupt: (handler: () => void) => () => void;
  readFile: (path: string) => Promise<string>;
  writeFile: (path: string, text: string) => Promise<void>;
  readStdin: () => Promise<string>;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    env: process.env,
    fetch: (request) => fetch(request),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    prompt: promptOnTerminal,
    onInterrupt: (handler) => {
      process.on("SIGINT", handler);
      return () => process.off("SIGINT", handler);
    },
    readFile: async (path) => (await import("node:fs/promises")).readFile(path, "utf8"),
    writeFile: async (path, text) => (await import("node:fs/promises")).writeFile(path, text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}

async function promptOnTerminal(question: string, options: { secret?: boolean } = {}): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (options.secret) {
    // Echo nothing while the secret is typed; readline calls _writeToOutput for every keystroke.
    const writable = rl as unknown as { _writeToOutput: (s: string) => void };
    const original = writable._writeToOutput.bind(rl);
    let asked = false;
    writable._writeToOutput = (s: string) => {
      if (!asked) {
        asked = true;
        original(s);
      }
    };
  }
  try {
    const answer = await rl.question(question);
    if (options.secret) process.stderr.write("\n");
    return answer;
  } finally {
    rl.close();
  }
}
