import { createHash, createHmac, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cognitoAuth } from "./providers.js";

// A fake Cognito user pool on loopback that runs the server side of SRP-6a as Cognito does (3072-bit group,
// HKDF "Caldera Derived Key", HMAC claim signature), so the test proves that drsctl's sign-in derives the
// right proof from the right password, not merely that it sends some request.
const N = BigInt(
  `0x${"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"}`,
);
const g = 2n;

function padHex(n: bigint): string {
  let hex = n.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (/^[89a-f]/i.test(hex)) hex = `00${hex}`;
  return hex;
}
const sha256Hex = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");
const hexHash = (hex: string) => sha256Hex(Buffer.from(hex, "hex"));
function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}
const k = BigInt(`0x${hexHash(padHex(N) + padHex(g))}`);

function jwt(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${part({ alg: "RS256" })}.${part(claims)}.sig`;
}

interface CognitoRequest {
  ClientId?: string;
  AuthFlow?: string;
  AuthParameters: Record<string, string>;
  ChallengeName?: string;
  ChallengeResponses: Record<string, string>;
  Session: string;
}

class FakeUserPool {
  readonly poolId = "us-east-1_TestPool";
  readonly poolName = "TestPool";
  readonly clientId = "client-123";
  readonly users = new Map([["operator@example.com", "Correct-horse-1"]]);
  readonly operations: string[] = [];
  private sessions = new Map<
    string,
    { user: string; A: bigint; b: bigint; B: bigint; v: bigint; secret: string }
  >();
  private refreshTokens = new Set<string>();

  private tokens(user: string, withRefresh: boolean) {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const refresh = randomBytes(16).toString("hex");
    if (withRefresh) this.refreshTokens.add(refresh);
    return {
      AuthenticationResult: {
        IdToken: jwt({
          sub: user,
          email: user,
          token_use: "id",
          exp,
          iat: exp - 3600,
          jti: randomBytes(8).toString("hex"),
          "custom:role": "DRSOperator",
        }),
        AccessToken: jwt({ sub: user, token_use: "access", exp, iat: exp - 3600, username: user }),
        ...(withRefresh ? { RefreshToken: refresh } : {}),
        ExpiresIn: 3600,
        TokenType: "Bearer",
      },
    };
  }

  handle(target: string, body: CognitoRequest): [number, unknown] {
    const operation = target.split(".").pop()!;
    this.operations.push(`${operation}${body.AuthFlow ? `:${body.AuthFlow}` : ""}`);
    if (body.ClientId !== this.clientId)
      return [400, { __type: "ResourceNotFoundException", message: "no such client" }];
    if (operation === "InitiateAuth" && body.AuthFlow === "USER_SRP_AUTH") {
      const user = body.AuthParameters.USERNAME ?? "";
      const password = this.users.get(user);
      if (!password) return [400, { __type: "UserNotFoundException", message: "User does not exist." }];
      const salt = BigInt(`0x${randomBytes(16).toString("hex")}`);
      const x = BigInt(`0x${hexHash(padHex(salt) + sha256Hex(`${this.poolName}${user}:${password}`))}`);
      const v = modPow(g, x, N);
      const b = BigInt(`0x${randomBytes(128).toString("hex")}`);
      const B = (k * v + modPow(g, b, N)) % N;
      const secret = randomBytes(64).toString("base64");
      const session = randomBytes(8).toString("hex");
      this.sessions.set(session, { user, A: BigInt(`0x${body.AuthParameters.SRP_A}`), b, B, v, secret });
      return [
        200,
        {
          ChallengeName: "PASSWORD_VERIFIER",
          Session: session,
          ChallengeParameters: {
            SALT: salt.toString(16),
            SRP_B: B.toString(16),
            SECRET_BLOCK: secret,
            USER_ID_FOR_SRP: user,
            USERNAME: user,
          },
        },
      ];
    }
    if (operation === "RespondToAuthChallenge" && body.ChallengeName === "PASSWORD_VERIFIER") {
      const s = this.sessions.get(body.Session);
      if (!s) return [400, { __type: "NotAuthorizedException", message: "Invalid session" }];
      this.sessions.delete(body.Session);
      const r = body.ChallengeResponses;
      const u = BigInt(`0x${hexHash(padHex(s.A) + padHex(s.B))}`);
      const S = modPow((s.A * modPow(s.v, u, N)) % N, s.b, N);
      const prk = createHmac("sha256", Buffer.from(padHex(u), "hex"))
        .update(Buffer.from(padHex(S), "hex"))
        .digest();
      const key = createHmac("sha256", prk)
        .update(Buffer.concat([Buffer.from("Caldera Derived Key"), Buffer.from([1])]))
        .digest()
        .subarray(0, 16);
      const expected = createHmac("sha256", key)
        .update(
          Buffer.concat([
            Buffer.from(this.poolName),
            Buffer.from(s.user),
            Buffer.from(s.secret, "base64"),
            Buffer.from(r.TIMESTAMP ?? ""),
          ]),
        )
        .digest("base64");
      if (r.PASSWORD_CLAIM_SIGNATURE !== expected || r.PASSWORD_CLAIM_SECRET_BLOCK !== s.secret) {
        return [400, { __type: "NotAuthorizedException", message: "Incorrect username or password." }];
      }
      return [200, this.tokens(s.user, true)];
    }
    if (operation === "InitiateAuth" && body.AuthFlow === "REFRESH_TOKEN_AUTH") {
      if (!this.refreshTokens.has(body.AuthParameters.REFRESH_TOKEN ?? "")) {
        return [400, { __type: "NotAuthorizedException", message: "Invalid Refresh Token" }];
      }
      // Cognito without rotation: new ID and access tokens, no new refresh token.
      return [200, this.tokens("operator@example.com", false)];
    }
    return [400, { __type: "InvalidParameterException", message: `unsupported ${operation}` }];
  }
}

describe("Cognito sign-in (SRP) against a fake user pool", () => {
  const pool = new FakeUserPool();
  let server: Server;
  let endpoint = "";

  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = "";
      req.on("data", (c: Buffer) => {
        text += c.toString();
      });
      req.on("end", () => {
        const [status, body] = pool.handle(String(req.headers["x-amz-target"]), JSON.parse(text));
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const auth = () =>
    cognitoAuth({
      userPoolId: pool.poolId,
      clientId: pool.clientId,
      region: "us-east-1",
      endpoint,
      username: "operator@example.com",
    });

  it("signs in with the right password and refreshes, keeping the refresh token Cognito does not rotate", async () => {
    const tokens = await auth().login("operator@example.com", "Correct-horse-1");
    expect(JSON.parse(Buffer.from(tokens.idToken.split(".")[1]!, "base64url").toString())).toMatchObject({
      email: "operator@example.com",
      "custom:role": "DRSOperator",
    });
    expect(tokens.refreshToken).toMatch(/^[0-9a-f]{32}$/);
    expect(tokens.expiresAt).toBeGreaterThan(Date.now());
    const refreshed = await auth().refresh(tokens);
    expect(refreshed.refreshToken).toBe(tokens.refreshToken);
    expect(refreshed.idToken).not.toBe(tokens.idToken);
    expect(pool.operations).toEqual([
      "InitiateAuth:USER_SRP_AUTH",
      "RespondToAuthChallenge",
      "InitiateAuth:REFRESH_TOKEN_AUTH",
    ]);
  });

  it("fails with Cognito's error on a wrong password", async () => {
    await expect(auth().login("operator@example.com", "wrong-password")).rejects.toThrow(
      "Cognito: NotAuthorizedException: Incorrect username or password.",
    );
  });
});
