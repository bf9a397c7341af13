import { createServices } from "@drso/app";
import { ManualClock } from "@drso/clock";
import type { DrsGatewayFactory, UserDirectory } from "@drso/core";
import { createCognitoVerifier, principalFromClaims } from "@drso/identity";
import { createMemoryStore } from "@drso/store";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createApiHandler } from "./api-lambda.js";

const POOL = "us-east-1_TestPool1";
const CLIENT = "testclient123";
const ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`;

let sign: (claims: Record<string, unknown>, key?: "good" | "other") => Promise<string>;
let jwks: { keys: JWK[] };

beforeAll(async () => {
  const good = await generateKeyPair("RS256");
  const other = await generateKeyPair("RS256");
  jwks = { keys: [{ ...(await exportJWK(good.publicKey)), kid: "k1", alg: "RS256", use: "sig" }] };
  sign = async (claims, key = "good") =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime("45m")
      .sign(key === "good" ? good.privateKey : other.privateKey);
});

const USERS: UserDirectory = {
  list: async () => [],
  get: async () => undefined,
  create: async () => {
    throw new Error("unused");
  },
  update: async () => {
    throw new Error("unused");
  },
  delete: async () => {},
  ensureInitialAdmin: async () => undefined,
};

function handler() {
  const services = createServices({
    store: createMemoryStore(),
    drs: {
      forTarget: () => {
        throw new Error("unused");
      },
    } as unknown as DrsGatewayFactory,
    clock: new ManualClock(Date.now()),
    newId: () => crypto.randomUUID(),
    users: USERS,
  });
  return createApiHandler({
    services,
    verifier: createCognitoVerifier({ userPoolId: POOL, clientId: CLIENT, region: "us-east-1", jwks }),
    principalFromClaims,
    version: "test",
  });
}

const idClaims = {
  sub: "11111111-2222-3333-4444-555555555555",
  aud: CLIENT,
  token_use: "id",
  email: "operator@example.com",
  "cognito:username": "11111111-2222-3333-4444-555555555555",
  "cognito:groups": ["DRSOperators"],
  "custom:role": "DRSOperator",
};

/** What API Gateway's Cognito authorizer passes on: the claims as strings, groups flattened. */
const authorizerClaims = (claims: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v)]));

function event(path: string, token?: string, claims?: Record<string, unknown>): APIGatewayProxyEvent {
  return {
    httpMethod: "GET",
    path,
    resource: path,
    headers: {
      Host: "abc.execute-api.us-east-1.amazonaws.com",
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      identity: { sourceIp: "203.0.113.9" },
      stage: "v1",
      ...(claims ? { authorizer: { claims } } : {}),
    },
  } as unknown as APIGatewayProxyEvent;
}

describe("API Lambda (the Hono app behind API Gateway)", () => {
  it("maps the authorizer's claims to the same Principal as local mode", async () => {
    const token = await sign(idClaims);
    const res = await handler().handler(event("/api/users/profile", token, authorizerClaims(idClaims)));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({
      sub: idClaims.sub,
      email: "operator@example.com",
      role: "DRSOperator",
      groups: ["DRSOperators"],
      permissions: expect.arrayContaining(["drs:ExecuteRecovery"]),
    });
  });

  it("verifies the token itself even when the authorizer let it through", async () => {
    const forged = await sign({ ...idClaims, "custom:role": "DRSAdmin" }, "other");
    const res = await handler().handler(
      event("/api/users/profile", forged, authorizerClaims({ ...idClaims, "custom:role": "DRSAdmin" })),
    );
    expect(res.statusCode).toBe(401);
    const contentType = res.headers?.["content-type"] ?? res.multiValueHeaders?.["content-type"]?.[0];
    expect(String(contentType)).toMatch(/problem\+json/);
  });

  it("refuses a token whose identity differs from the authorizer's claims", async () => {
    const token = await sign(idClaims);
    const other = authorizerClaims({ ...idClaims, sub: "99999999-2222-3333-4444-555555555555" });
    expect((await handler().handler(event("/api/users/profile", token, other))).statusCode).toBe(401);
    const promoted = authorizerClaims({
      ...idClaims,
      "custom:role": "DRSAdmin",
      "cognito:groups": ["DRSAdmins"],
    });
    expect((await handler().handler(event("/api/users/profile", token, promoted))).statusCode).toBe(401);
  });

  it("refuses a token for another app client and a missing token; /api/health stays public", async () => {
    const foreign = await sign({ ...idClaims, aud: "someotherclient" });
    expect((await handler().handler(event("/api/users/profile", foreign))).statusCode).toBe(401);
    expect((await handler().handler(event("/api/users/profile"))).statusCode).toBe(401);
    const health = await handler().handler(event("/api/health"));
    expect(health.statusCode).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: "ok", version: "test" });
  });

  it("has no /auth routes on AWS (Cognito issues tokens)", async () => {
    const h = handler();
    expect(h.routes.some((r) => r.path.startsWith("/auth"))).toBe(false);
    const res = await h.handler({ ...event("/api/auth/login"), httpMethod: "POST" });
    expect(res.statusCode).toBe(404);
  });
});
