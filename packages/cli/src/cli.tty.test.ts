import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, type Product, startProduct } from "./testing/harness.js";
import { drsctlInPty, plainScreen, ptyUnavailable } from "./testing/pty.js";

const unavailable = ptyUnavailable();
if (unavailable) console.warn(`skipping drsctl pseudo-terminal tests: ${unavailable}`);

// The person at a terminal: drsctl as a child process on a real pseudo-terminal, against `npm start`.
describe.skipIf(unavailable !== undefined)("drsctl in a terminal", { timeout: 120_000 }, () => {
  let product: Product;
  let work: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    product = await startProduct();
    work = await mkdtemp(join(tmpdir(), "drsctl-tty-"));
    env = { HOME: work, DRSCTL_CONFIG: join(work, "drsctl.yaml") };
  }, 90_000);
  afterAll(async () => {
    await product?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("login asks for the e-mail and a hidden password, and signs in", async () => {
    const session = drsctlInPty(["login", "--url", product.url], env);
    try {
      await session.waitFor("Email: ");
      session.type(`${ADMIN.email}\r`);
      await session.waitFor("Password: ");
      const afterPrompt = session.output().length;
      // A typo corrected with backspace, and a stray arrow key, as people do.
      session.type(`${ADMIN.password}x\x7f\x1b[D\r`);
      expect(await session.exited, session.output()).toBe(0);
      const screen = plainScreen(session.output());
      expect(screen).toContain(`Signed in to ${product.url} as ${ADMIN.email} (DRSAdmin)`);
      // Nothing typed at the password prompt reached the screen: no echo, no mask characters.
      const typedPart = plainScreen(session.output().slice(afterPrompt));
      expect(typedPart).not.toContain(ADMIN.password);
      expect(typedPart).not.toMatch(/\*{3,}/);
      expect(typedPart.split("Signed in")[0]!.trim()).toBe("");
      expect(await readFile(env.DRSCTL_CONFIG!, "utf8")).toContain("refreshToken");
    } finally {
      session.kill();
    }
  });

  it("Ctrl-C at the password prompt stops without signing in (exit 130)", async () => {
    const config = join(work, "interrupted.yaml");
    const session = drsctlInPty(["login", "--url", product.url, "--email", ADMIN.email], {
      ...env,
      DRSCTL_CONFIG: config,
    });
    try {
      await session.waitFor("Password: ");
      session.type("Adm\x03");
      expect(await session.exited, session.output()).toBe(130);
      expect(plainScreen(session.output())).not.toContain("Adm");
      await expect(readFile(config, "utf8")).rejects.toThrow(/ENOENT/);
    } finally {
      session.kill();
    }
  });

  it("Ctrl-C at the e-mail prompt stops too (exit 130, not a hang)", async () => {
    const session = drsctlInPty(["login", "--url", product.url], {
      ...env,
      DRSCTL_CONFIG: join(work, "interrupted-email.yaml"),
    });
    try {
      await session.waitFor("Email: ");
      session.type("adm\x03");
      expect(await session.exited, session.output()).toBe(130);
      expect(plainScreen(session.output())).toContain("error: interrupted");
    } finally {
      session.kill();
    }
  });

  it("a wrong password typed at the prompt is refused with the server's reason", async () => {
    const session = drsctlInPty(["login", "--url", product.url, "--email", ADMIN.email], env);
    try {
      await session.waitFor("Password: ");
      session.type("Wrong-password1\r");
      expect(await session.exited, session.output()).toBe(1);
      expect(plainScreen(session.output())).toMatch(/INVALID_CREDENTIALS/);
      expect(plainScreen(session.output())).not.toContain("Wrong-password1");
    } finally {
      session.kill();
    }
  });
});
