import { createInterface } from "node:readline/promises";
import { StringDecoder } from "node:string_decoder";
import { CliError, EXIT } from "./errors.js";

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
  if (options.secret) return readSecret(question, process.stdin, process.stderr);
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    // Without a listener readline only pauses on Ctrl-C, and the question would never be answered.
    return await new Promise<string>((resolve, reject) => {
      rl.once("SIGINT", () => {
        process.stderr.write("\n");
        reject(interrupted());
      });
      rl.question(question).then(resolve, reject);
    });
  } finally {
    rl.close();
  }
}

const interrupted = () => new CliError("interrupted", EXIT.INTERRUPTED);

/** The terminal side of a hidden prompt: a TTY stream that can be put into raw mode. */
export interface SecretInput {
  isRaw?: boolean;
  setRawMode(mode: boolean): unknown;
  on(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  off(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/**
 * Reads a secret with echo off, in raw mode, from the keystrokes themselves (no readline internals, which
 * differ between Node versions). Enter ends it; Backspace and Ctrl-U edit it; Ctrl-C, or Ctrl-D on an empty
 * line, abandons it (exit 130); other control keys and escape sequences (arrows) are ignored.
 */
export function readSecret(question: string, input: SecretInput, output: OutputStream): Promise<string> {
  // Echo off before the prompt shows: a key typed the moment it appears must not reach the screen.
  const wasRaw = input.isRaw ?? false;
  input.setRawMode(true);
  input.resume();
  output.write(question);
  const decoder = new StringDecoder("utf8");
  return new Promise((resolve, reject) => {
    let value = "";
    let sequence: "none" | "start" | "inside" = "none";
    const finish = (error?: Error) => {
      input.off("data", onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      const text = typeof chunk === "string" ? chunk : decoder.write(chunk);
      for (const ch of text) {
        if (sequence === "start") {
          sequence = ch === "[" || ch === "O" ? "inside" : "none";
          continue;
        }
        if (sequence === "inside") {
          if (ch >= "@" && ch <= "~") sequence = "none";
          continue;
        }
        if (ch === "\r" || ch === "\n") return finish();
        if (ch === "\x03" || (ch === "\x04" && value === "")) return finish(interrupted());
        if (ch === "\x7f" || ch === "\b") value = Array.from(value).slice(0, -1).join("");
        else if (ch === "\x15") value = "";
        else if (ch === "\x1b") sequence = "start";
        else if (ch >= " ") value += ch;
      }
    };
    input.on("data", onData);
  });
}
