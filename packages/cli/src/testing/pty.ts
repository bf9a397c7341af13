import { spawn, spawnSync } from "node:child_process";
import { DRSCTL_BIN, REPO_ROOT } from "./harness.js";

/**
 * Runs a command in a real pseudo-terminal, with no native module: Python's standard `pty` module forks the
 * command on a new pty (a session leader with the pty as controlling terminal, 120×40), then relays the
 * master to this process's pipes. The command sees `isTTY` on stdin, stdout and stderr, raw mode works, and
 * the line discipline echoes what is typed unless the program turns echo off — exactly a person's terminal.
 */
const RELAY = `
import fcntl, os, pty, select, struct, sys, termios
argv = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    os.execvp(argv[0], argv)
stdin_open = True
while True:
    ready, _, _ = select.select([fd] + ([0] if stdin_open else []), [], [])
    if fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        os.write(1, data)
    if 0 in ready:
        data = os.read(0, 65536)
        if data:
            os.write(fd, data)
        else:
            stdin_open = False
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
sys.exit(128 - code if code < 0 else code)
`;

/** Why pty tests cannot run here, or undefined when they can (python3 with its pty module). */
export function ptyUnavailable(): string | undefined {
  const probe = spawnSync("python3", ["-c", "import pty, termios, fcntl"], { encoding: "utf8" });
  if (probe.error) return `python3 is not installed (${probe.error.message})`;
  if (probe.status !== 0) return `python3 cannot import pty/termios: ${probe.stderr.trim()}`;
  return undefined;
}

export interface PtySession {
  /** Everything the terminal showed so far (stdout and stderr interleaved, as on a screen). */
  readonly output: () => string;
  /** Types text (use "\r" for Enter, "\x03" for Ctrl-C). */
  type(text: string): void;
  /** Resolves when the screen shows `pattern` after `from` (a character offset); rejects on timeout/exit. */
  waitFor(pattern: RegExp | string, options?: { from?: number; timeoutMs?: number }): Promise<void>;
  /** Resolves with the exit code. */
  exited: Promise<number>;
  kill(): void;
}

/** The real drsctl binary in a pseudo-terminal. */
export function drsctlInPty(args: string[], env: Record<string, string>): PtySession {
  const child = spawn("python3", ["-c", RELAY, process.execPath, DRSCTL_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", TERM: "xterm-256color", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let screen = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    screen += chunk.toString("utf8");
    for (const l of listeners) l();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = new Promise<number>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      for (const l of listeners) l();
      resolve(code ?? -1);
    });
  });
  return {
    output: () => screen,
    type(text) {
      child.stdin.write(text);
    },
    waitFor(pattern, options = {}) {
      const from = options.from ?? 0;
      const matches = () =>
        typeof pattern === "string" ? screen.indexOf(pattern, from) >= 0 : pattern.test(screen.slice(from));
      return new Promise<void>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        const check = () => {
          if (matches()) {
            done();
            resolve();
          } else if (child.exitCode !== null) {
            done();
            reject(new Error(`drsctl exited (${child.exitCode}) before showing ${pattern}:\n${screen}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for ${pattern}; the terminal shows:\n${screen}`));
        }, options.timeoutMs ?? 30_000);
        listeners.add(check);
        check();
      });
    },
    exited,
    kill() {
      if (child.exitCode === null && child.pid) process.kill(child.pid, "SIGKILL");
    },
  };
}

const ESC = String.fromCharCode(27);

/** The screen without terminal control sequences (cursor moves, clears) and with \r\n as \n. */
export function plainScreen(text: string): string {
  return text
    .replace(new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, "g"), "")
    .replace(/\r\n/g, "\n")
    .replace(/\r/g, "");
}
