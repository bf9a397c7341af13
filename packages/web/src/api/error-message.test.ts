import { createApiClient, unwrap } from "@drso/client";
import { describe, expect, it } from "vitest";
import { errorMessage } from "./error-message.js";

describe("errorMessage", () => {
  it("shows a problem's detail and field errors, not the request", async () => {
    const api = createApiClient({
      apiUrl: "http://x/api",
      retries: 0,
      fetch: async () =>
        new Response(
          JSON.stringify({
            status: 400,
            detail: "Invalid plan",
            errors: [{ path: "waves.0.dependsOn", message: "unknown wave 'x'" }],
          }),
          { status: 400, headers: { "content-type": "application/problem+json" } },
        ),
    });
    const error = await unwrap(
      api.POST("/recovery-plans/validate", { body: { name: "p", waves: [] } }),
    ).catch((e: unknown) => e);
    expect(errorMessage(error)).toBe("Invalid plan (waves.0.dependsOn: unknown wave 'x')");
  });

  it("shows a network failure's text and any other error's message", async () => {
    const api = createApiClient({
      apiUrl: "http://x/api",
      fetch: async () => {
        throw new TypeError("Failed to fetch");
      },
    });
    expect(errorMessage(await unwrap(api.GET("/health")).catch((e: unknown) => e))).toBe("Failed to fetch");
    expect(errorMessage(new Error("boom"))).toBe("boom");
    expect(errorMessage("plain")).toBe("plain");
  });
});
