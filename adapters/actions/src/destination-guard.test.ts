import { describe, expect, it } from "vitest";
import { forbiddenRange, hostAllowed, refusedDestination } from "./destination-guard.js";

describe("http action destinations", () => {
  it("names the range of loopback, link-local, private and unspecified addresses, and passes public ones", () => {
    const cases: Array<[string, string | undefined]> = [
      ["127.0.0.1", "loopback"],
      ["127.255.0.9", "loopback"],
      ["::1", "loopback"],
      ["::ffff:127.0.0.1", "loopback"],
      ["169.254.169.254", "link-local (instance metadata)"],
      ["fe80::1", "link-local"],
      ["10.1.2.3", "private"],
      ["172.16.0.1", "private"],
      ["172.31.255.255", "private"],
      ["192.168.1.1", "private"],
      ["fd00::1", "private"],
      ["0.0.0.0", "unspecified"],
      ["172.32.0.1", undefined],
      ["8.8.8.8", undefined],
      ["2606:4700::1111", undefined],
    ];
    for (const [address, range] of cases) expect(forbiddenRange(address), address).toBe(range);
  });

  it("checks every resolved address; the allowlist takes exact hosts and *.domain", async () => {
    const lookup = async (host: string) =>
      host === "mixed.example.com"
        ? [{ address: "93.184.216.34" }, { address: "10.0.0.5" }]
        : [{ address: "93.184.216.34" }];
    expect(await refusedDestination("https://public.example.com/x", [], lookup)).toBeUndefined();
    expect(await refusedDestination("https://mixed.example.com/x", [], lookup)).toMatch(
      /mixed\.example\.com resolves to 10\.0\.0\.5, a private address/,
    );
    expect(await refusedDestination("http://[::1]:8080/", [], lookup)).toMatch(/is a loopback address/);
    expect(
      await refusedDestination("https://mixed.example.com/x", ["*.example.com"], lookup),
    ).toBeUndefined();
    expect(hostAllowed("[::1]", ["::1"])).toBe(true);
    expect(hostAllowed("evil-example.com", ["*.example.com"])).toBe(false);
  });
});
