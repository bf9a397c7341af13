import { describe, expect, it } from "vitest";
import { configPath } from "../config/config-file.js";
import { discover } from "./session.js";

const answer = (status: number, body: unknown) => async () =>
  new Response(typeof body === "string" ? body : JSON.stringify(body), { status });

describe("discovery of a deployment", () => {
  it("reads the API URL and Cognito settings from aws-config.json", async () => {
    const found = await discover(
      "https://dr.example.com/",
      answer(200, {
        apiUrl: "https://abc.execute-api.us-east-1.amazonaws.com/prod/",
        auth: { mode: "cognito", userPoolId: "us-east-1_AbC", clientId: "c1" },
      }),
    );
    expect(found).toEqual({
      apiUrl: "https://abc.execute-api.us-east-1.amazonaws.com/prod",
      auth: "cognito",
      cognito: { userPoolId: "us-east-1_AbC", clientId: "c1", region: "us-east-1" },
    });
  });

  it("resolves a relative apiUrl (the local server's /api)", async () => {
    expect(
      await discover("http://127.0.0.1:8080", answer(200, { apiUrl: "/api", auth: { mode: "local" } })),
    ).toEqual({
      apiUrl: "http://127.0.0.1:8080/api",
      auth: "local",
    });
  });

  it("falls back to URL/api, or the URL itself when it is the API, without aws-config.json", async () => {
    expect((await discover("http://h:1", answer(404, "not found"))).apiUrl).toBe("http://h:1/api");
    expect((await discover("http://h:1/api", answer(200, "<html>"))).apiUrl).toBe("http://h:1/api");
  });

  it("rejects what is not an http(s) URL", async () => {
    await expect(discover("ftp://h", answer(404, ""))).rejects.toThrow("not an http(s) URL");
  });
});

describe("configPath", () => {
  it("prefers DRSCTL_CONFIG, then XDG_CONFIG_HOME, then ~/.config", () => {
    expect(configPath({ DRSCTL_CONFIG: "/x/c.yaml", XDG_CONFIG_HOME: "/xdg" })).toBe("/x/c.yaml");
    expect(configPath({ XDG_CONFIG_HOME: "/xdg", HOME: "/home/a" })).toBe("/xdg/drsctl/config.yaml");
    expect(configPath({ HOME: "/home/a" })).toBe("/home/a/.config/drsctl/config.yaml");
  });
});
