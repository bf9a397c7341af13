import { type IdentityProvider, TooManyRequestsError } from "@drso/core";
import { z } from "@hono/zod-openapi";
import { createRateLimiter } from "../http/rate-limit.js";
import { jsonBody, jsonResponse, ProblemSchema, type RouteKit, rateLimited } from "../route-kit.js";

const tags = ["Authentication"];

const TokensSchema = z
  .object({
    idToken: z.string(),
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int(),
    tokenType: z.literal("Bearer"),
  })
  .openapi("Tokens");
const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

/** Local identity only: on AWS, Cognito issues tokens and these routes are not mounted. */
export function registerAuthRoutes(
  kit: RouteKit,
  identity: IdentityProvider,
  options: {
    now: () => number;
    clientAddress: (c: { req: { header(n: string): string | undefined } }) => string;
  },
) {
  // Per client address, on top of the per-account lockout: slows password spraying across accounts.
  const limiter = createRateLimiter({ ratePerSecond: 5, burst: 30, now: options.now });

  kit.add(
    {
      method: "post",
      path: "/auth/login",
      access: "public",
      audit: "auth.login",
      target: "user",
      tags,
      summary: "Sign in with email and password",
      description:
        "Public. Returns ID, access and refresh tokens. Failed attempts lock the account for a while, and each client address is rate limited.",
      request: jsonBody(
        z
          .strictObject({ email: z.string().min(3).max(254), password: z.string().min(1).max(256) })
          .openapi("LoginRequest"),
      ),
      responses: {
        200: jsonResponse(TokensSchema, "Tokens"),
        400: problem("Invalid request"),
        401: problem("Invalid credentials"),
        429: rateLimited("Account locked or too many attempts from this address"),
      },
    },
    async (c) => {
      const wait = limiter.take(`login:${options.clientAddress(c)}`);
      if (wait > 0) throw new TooManyRequestsError("Too many sign-in attempts from this address.", wait);
      const { email, password } = c.req.valid("json");
      c.set("auditTarget", { detail: { email: email.toLowerCase() } });
      const result = await identity.login(email, password, {
        sourceIp: options.clientAddress(c),
        ...(c.req.header("user-agent") ? { userAgent: c.req.header("user-agent")! } : {}),
      });
      c.set("principal", result.principal);
      const { principal: _principal, ...tokens } = result;
      return c.json(tokens, 200);
    },
  );
  kit.add(
    {
      method: "post",
      path: "/auth/refresh",
      access: "public",
      tags,
      summary: "Exchange a refresh token for new tokens (the refresh token rotates)",
      description: "Public: the refresh token in the body is the credential.",
      request: jsonBody(
        z.strictObject({ refreshToken: z.string().min(1).max(512) }).openapi("RefreshRequest"),
      ),
      responses: {
        200: jsonResponse(TokensSchema, "Tokens"),
        400: problem("Invalid request"),
        401: problem("Invalid refresh token"),
      },
    },
    async (c) => c.json(await identity.refresh(c.req.valid("json").refreshToken), 200),
  );
  kit.add(
    {
      method: "post",
      path: "/auth/logout",
      access: "public",
      tags,
      summary: "Revoke a refresh token",
      description:
        "Public: the refresh token in the body is the credential. An unknown token is not an error.",
      request: jsonBody(
        z.strictObject({ refreshToken: z.string().min(1).max(512) }).openapi("LogoutRequest"),
      ),
      responses: { 204: { description: "Signed out" }, 400: problem("Invalid request") },
    },
    async (c) => {
      await identity.logout(c.req.valid("json").refreshToken);
      return c.body(null, 204);
    },
  );
  kit.add(
    {
      method: "get",
      path: "/auth/jwks",
      access: "public",
      tags,
      summary: "Public keys that sign this server's tokens",
      description: "Public: the JWKS a verifier needs to check this server's tokens offline.",
      responses: {
        200: jsonResponse(z.object({ keys: z.array(z.record(z.string(), z.unknown())) }), "JWKS"),
      },
    },
    async (c) => c.json(await identity.jwks(), 200),
  );
}
