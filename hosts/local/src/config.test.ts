import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

describe("loadConfig", () => {
  it("has working defaults", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 8080,
      simPort: 8081,
      drsMode: "sim",
      simFleet: "demo",
      engine: true,
    });
    expect(config.drsEndpoint).toBeUndefined();
  });

  it("names the bad variable", () => {
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(/PORT: .*"eighty"/);
    expect(() => loadConfig({ DRSO_DRS_MODE: "cloud" })).toThrow(/DRSO_DRS_MODE/);
    expect(() => loadConfig({ DRSO_DRS_ENDPOINT: "not a url" })).toThrow(/DRSO_DRS_ENDPOINT/);
    expect(() => loadConfig({ DRSO_SIM_TIME_SCALE: "-1" })).toThrow(/DRSO_SIM_TIME_SCALE/);
  });

  it("DRSO_ADMIN_PASSWORD alone makes admin@example.com the first administrator", () => {
    expect(loadConfig({ DRSO_ADMIN_PASSWORD: "Secret123" })).toMatchObject({
      adminEmail: "admin@example.com",
      adminPassword: "Secret123",
    });
    expect(loadConfig({ DRSO_ADMIN_EMAIL: "Ops@Example.com" }).adminEmail).toBe("ops@example.com");
  });

  it("derives the simulator port from PORT and reads lists", () => {
    const config = loadConfig({
      PORT: "9000",
      DRSO_CORS_ORIGINS: "http://localhost:5173, https://x.example",
      DRSO_DRS_ENDPOINT: "http://127.0.0.1:4566",
    });
    expect(config.simPort).toBe(9001);
    expect(config.corsOrigins).toEqual(["http://localhost:5173", "https://x.example"]);
    expect(config.drsEndpoint).toBe("http://127.0.0.1:4566");
  });
});
