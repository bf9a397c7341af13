import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../../tests/support/processes.js";

// `npm start` as a new user meets it: the real entry point as a child process, with a clean environment.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const ADMIN = { email: "admin@example.com", password: "Admin123!" };

const root = mkdtempSync(join(tmpdir(), "drso-startup-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const newDir = (label: string) => join(root, `${label}-${++n}`);

async function occupy(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return server;
}

interface Started {
  kind: "ready";
  pid: number;
  url: string;
  output: () => string;
  /** Wall time from spawning the process to seeing "ready in N ms". */
  wallMs: number;
  reportedMs: number;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}
interface Exited {
  kind: "exited";
  code: number | null;
  output: string;
}

/** Starts `npm start`'s entry point; resolves when it is ready or when it exits, whichever comes first. */
async function launch(env: Record<string, string>, timeoutMs = 60_000): Promise<Started | Exited> {
  const port = env.PORT ?? String(await freePort());
  const started = Date.now();
  const child = spawn(process.execPath, ["--import", "tsx", "hosts/local/src/main.ts"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: root,
      HOST: "127.0.0.1",
      DRSO_SIM_TIME_SCALE: "0.01",
      AWS_EC2_METADATA_DISABLED: "true",
      ...env,
      PORT: port,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      if (child.pid) process.kill(child.pid, "SIGKILL");
      reject(new Error(`neither ready nor exited in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /^ready in (\d+) ms/m.exec(output);
      if (!ready) return;
      clearTimeout(timer);
      child.stdout.off("data", onData);
      child.stdout.on("data", (c: Buffer) => {
        output += c.toString();
      });
      const pid = child.pid!;
      const signal = async (name: NodeJS.Signals) => {
        if (child.exitCode === null && child.signalCode === null) process.kill(pid, name);
        await exited;
      };
      resolve({
        kind: "ready",
        pid,
        url: `http://127.0.0.1:${port}`,
        output: () => output,
        wallMs: Date.now() - started,
        reportedMs: Number(ready[1]),
        kill9: () => signal("SIGKILL"),
        stop: () => signal("SIGTERM"),
      });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (c: Buffer) => {
      output += c.toString();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      resolve({ kind: "exited", code, output });
    });
  });
}

function expectReady(result: Started | Exited): Started {
  if (result.kind !== "ready") throw new Error(`the server exited (${result.code}):\n${result.output}`);
  return result;
}
async function expectExit(result: Started | Exited): Promise<Exited> {
  if (result.kind === "ready") {
    const output = result.output();
    await result.stop();
    throw new Error(`the server started although it should have refused to:\n${output}`);
  }
  return result;
}

async function login(url: string, email: string, password: string) {
  const response = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("npm start: one server per data folder", { timeout: 180_000 }, () => {
  it("a second server on the same folder exits naming the folder and the first one's PID; kill -9 leaves no stale lock", async () => {
    const data = newDir("shared");
    const env = { DRSO_DATA_DIR: data, DRSO_ADMIN_EMAIL: ADMIN.email, DRSO_ADMIN_PASSWORD: ADMIN.password };
    const first = expectReady(await launch({ ...env, DRSO_SIM_PORT: String(await freePort()) }));
    try {
      const second = await expectExit(await launch({ ...env, DRSO_SIM_PORT: String(await freePort()) }));
      expect(second.code).not.toBe(0);
      expect(second.output).toContain(data);
      expect(second.output).toContain(`PID ${first.pid}`);
      expect(second.output).toContain(first.url);
      // The first one is untouched.
      expect((await login(first.url, ADMIN.email, ADMIN.password)).status).toBe(200);
    } finally {
      await first.kill9();
    }
    const restarted = expectReady(await launch({ ...env, DRSO_SIM_PORT: String(await freePort()) }));
    try {
      expect((await login(restarted.url, ADMIN.email, ADMIN.password)).status).toBe(200);
    } finally {
      await restarted.stop();
    }
  });
});

describe("npm start: start-up says what is wrong", { timeout: 180_000 }, () => {
  it("a taken PORT is named, with the hint that another instance may be running", async () => {
    const port = await freePort();
    const blocker = await occupy(port);
    try {
      const result = await expectExit(
        await launch({
          PORT: String(port),
          DRSO_SIM_PORT: String(await freePort()),
          DRSO_DATA_DIR: newDir("port"),
        }),
      );
      expect(result.code).not.toBe(0);
      expect(result.output).toContain(`PORT ${port}`);
      expect(result.output).toMatch(/already in use/);
      expect(result.output).toMatch(/another DRS Orchestrator .*may be running/);
      expect(result.output).not.toMatch(/EADDRINUSE|at .*\.ts:\d+/);
    } finally {
      blocker.close();
    }
  });

  it("a taken simulator port names DRSO_SIM_PORT and that it defaults to PORT+1", async () => {
    let port = await freePort();
    let blocker: Server | undefined;
    for (let attempt = 0; attempt < 20 && !blocker; attempt++) {
      try {
        blocker = await occupy(port + 1);
      } catch {
        port = await freePort();
      }
    }
    try {
      const result = await expectExit(
        await launch({ PORT: String(port), DRSO_DATA_DIR: newDir("sim-port") }),
      );
      expect(result.code).not.toBe(0);
      expect(result.output).toContain(`DRSO_SIM_PORT ${port + 1}`);
      expect(result.output).toContain("PORT+1");
      expect(result.output).toMatch(/another DRS Orchestrator .*may be running/);
    } finally {
      blocker?.close();
    }
  });

  it('"ready in N ms" is the time from process start to listening', async () => {
    const server = expectReady(
      await launch({ DRSO_SIM_PORT: String(await freePort()), DRSO_DATA_DIR: newDir("ready") }),
    );
    await server.stop();
    // The wall time seen here also counts spawning node and reading its output, so the reported time can be
    // a little less, but not a fraction of it (before: the time of the last few calls only).
    expect(server.reportedMs).toBeGreaterThan(server.wallMs * 0.4);
    expect(server.reportedMs).toBeLessThanOrEqual(server.wallMs);
  });

  it("DRSO_DRS_MODE=aws without AWS credentials says so at start and in the health the dashboard reads", async () => {
    const server = expectReady(
      await launch({
        DRSO_DRS_MODE: "aws",
        DRSO_DATA_DIR: newDir("aws"),
        DRSO_ADMIN_EMAIL: ADMIN.email,
        DRSO_ADMIN_PASSWORD: ADMIN.password,
        AWS_SHARED_CREDENTIALS_FILE: join(root, "no-credentials"),
        AWS_CONFIG_FILE: join(root, "no-config"),
      }),
    );
    try {
      expect(server.output()).toMatch(/no AWS credentials/i);
      expect(server.output()).toMatch(/AWS_PROFILE|aws configure/);
      const token = (await login(server.url, ADMIN.email, ADMIN.password)).body.idToken as string;
      const health = (await (
        await fetch(`${server.url}/api/config/health`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as { status: string; checks: Array<{ name: string; ok: boolean; detail?: string }> };
      expect(health.status).toBe("degraded");
      const check = health.checks.find((c) => c.name === "aws-credentials");
      expect(check).toMatchObject({ ok: false });
      expect(check?.detail).toMatch(/no AWS credentials/i);
    } finally {
      await server.stop();
    }
  });
});

describe("npm start: admin and data safety", { timeout: 180_000 }, () => {
  it("creates the data folder 0700 and its files 0600", async () => {
    const data = newDir("modes");
    const server = expectReady(
      await launch({ DRSO_SIM_PORT: String(await freePort()), DRSO_DATA_DIR: data }),
    );
    try {
      expect(statSync(data).mode & 0o777).toBe(0o700);
      const files = readdirSync(data);
      expect(files).toContain("drs-orchestrator.sqlite");
      for (const file of files)
        expect((statSync(join(data, file)).mode & 0o777).toString(8), file).toBe("600");
    } finally {
      await server.stop();
    }
    // The simulator state is written again on shutdown: still 0600.
    for (const file of readdirSync(data))
      expect((statSync(join(data, file)).mode & 0o777).toString(8), file).toBe("600");
  });

  it("DRSO_ADMIN_PASSWORD alone creates admin@example.com, as documented", async () => {
    const server = expectReady(
      await launch({
        DRSO_SIM_PORT: String(await freePort()),
        DRSO_DATA_DIR: newDir("email-default"),
        DRSO_ADMIN_PASSWORD: ADMIN.password,
      }),
    );
    try {
      expect((await login(server.url, "admin@example.com", ADMIN.password)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it("DRSO_ADMIN_PASSWORD on an existing database is reported when it is not the admin's password; reset-password applies one", async () => {
    const data = newDir("existing");
    const base = { DRSO_DATA_DIR: data, DRSO_ADMIN_EMAIL: ADMIN.email };
    const first = expectReady(
      await launch({ ...base, DRSO_SIM_PORT: String(await freePort()), DRSO_ADMIN_PASSWORD: ADMIN.password }),
    );
    await first.stop();
    expect(first.output()).not.toMatch(/DRSO_ADMIN_PASSWORD/);

    const again = expectReady(
      await launch({ ...base, DRSO_SIM_PORT: String(await freePort()), DRSO_ADMIN_PASSWORD: ADMIN.password }),
    );
    await again.stop();
    // Same password as stored: it is in effect, nothing to say.
    expect(again.output()).not.toMatch(/DRSO_ADMIN_PASSWORD/);

    const other = expectReady(
      await launch({ ...base, DRSO_SIM_PORT: String(await freePort()), DRSO_ADMIN_PASSWORD: "Other-Pass-9" }),
    );
    try {
      expect(other.output()).toMatch(/DRSO_ADMIN_PASSWORD .*not applied/);
      expect(other.output()).toContain(`npm run admin -- reset-password ${ADMIN.email}`);
      expect((await login(other.url, ADMIN.email, "Other-Pass-9")).status).toBe(401);

      // The documented way out, while the server runs: npm run admin -- reset-password EMAIL.
      const reset = await runNpm(
        ["run", "--silent", "admin", "--", "reset-password", ADMIN.email, "--password-stdin"],
        {
          DRSO_DATA_DIR: data,
        },
        "New-Admin-Pass-7\n",
      );
      expect(reset.code, reset.output).toBe(0);
      expect(reset.output).toContain(`Password of ${ADMIN.email} reset`);
      expect((await login(other.url, ADMIN.email, "New-Admin-Pass-7")).status).toBe(200);
      expect((await login(other.url, ADMIN.email, ADMIN.password)).status).toBe(401);

      // Without --password-stdin it generates one and prints it once.
      const generated = await runNpm(["run", "--silent", "admin", "--", "reset-password", ADMIN.email], {
        DRSO_DATA_DIR: data,
      });
      expect(generated.code, generated.output).toBe(0);
      const password = /new password\s+(\S+)/.exec(generated.output)?.[1];
      expect(password, generated.output).toBeDefined();
      expect((await login(other.url, ADMIN.email, password!)).status).toBe(200);

      const unknown = await runNpm(
        ["run", "--silent", "admin", "--", "reset-password", "nobody@example.com"],
        {
          DRSO_DATA_DIR: data,
        },
      );
      expect(unknown.code).not.toBe(0);
      expect(unknown.output).toContain("no user nobody@example.com");
      expect(unknown.output).toContain(ADMIN.email);
    } finally {
      await other.stop();
    }
  });
});

function runNpm(
  args: string[],
  env: Record<string, string>,
  input = "",
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: root, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      output += c.toString();
    });
    const timer = setTimeout(() => {
      if (child.pid) process.kill(child.pid, "SIGKILL");
      reject(new Error(`npm ${args.join(" ")} did not finish:\n${output}`));
    }, 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
    child.stdin.end(input);
  });
}
