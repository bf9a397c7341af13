import { describe, expect, it } from "vitest";
import { defaultConfig, mergeConfig } from "../faults/sim-config.js";
import { paginate } from "./pagination.js";

const items = Array.from({ length: 10 }, (_, i) => ({ key: i * 10, id: `x${i}` }));
const keyOf = (item: { key: number }) => [item.key];

function all(config = defaultConfig(), maxResults = 3, list = items) {
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = paginate(
      list,
      keyOf,
      { maxResults, nextToken: token },
      { filters: { f: 1 }, config, now: 0 },
    );
    seen.push(...page.items.map((i) => i.id));
    token = page.nextToken;
    pages++;
  } while (token && pages < 100);
  return { seen, pages };
}

describe("keyset pagination", () => {
  it("visits every item once, in order, and stops", () => {
    expect(all()).toEqual({ seen: items.map((i) => i.id), pages: 4 });
    expect(all(defaultConfig(), 10).pages).toBe(1);
    expect(all(defaultConfig(), 1).pages).toBe(10);
  });

  it("does not repeat or skip when items are inserted or removed between pages", () => {
    const list = [...items];
    const first = paginate(
      list,
      keyOf,
      { maxResults: 4 },
      { filters: null, config: defaultConfig(), now: 0 },
    );
    list.splice(1, 1); // remove an item already returned
    list.unshift({ key: -5, id: "new-first" }); // insert before the cursor
    const second = paginate(
      list,
      keyOf,
      { maxResults: 100, nextToken: first.nextToken },
      { filters: null, config: defaultConfig(), now: 0 },
    );
    expect([...first.items, ...second.items].map((i) => i.id)).toEqual(items.map((i) => i.id));
  });

  it("caps the page at maxPageSize and defaults to pageSize", () => {
    const config = mergeConfig(defaultConfig(), { pageSize: 4, maxPageSize: 6 });
    expect(paginate(items, keyOf, {}, { filters: null, config, now: 0 }).items).toHaveLength(4);
    expect(
      paginate(items, keyOf, { maxResults: 1000 }, { filters: null, config, now: 0 }).items,
    ).toHaveLength(6);
  });

  it("rejects tokens that are garbage, from other filters, or expired", () => {
    const config = mergeConfig(defaultConfig(), { invalidTokenAfterMs: 1_000 });
    const { nextToken } = paginate(items, keyOf, { maxResults: 2 }, { filters: "a", config, now: 0 });
    expect(() => paginate(items, keyOf, { nextToken: "zzz" }, { filters: "a", config, now: 0 })).toThrow(
      /invalid/,
    );
    expect(() => paginate(items, keyOf, { nextToken }, { filters: "b", config, now: 0 })).toThrow(/filters/);
    expect(() => paginate(items, keyOf, { nextToken }, { filters: "a", config, now: 5_000 })).toThrow(
      /expired/,
    );
  });

  it("emptyPagesWithToken inserts an empty page before each later page; repeatToken repeats the token", () => {
    const empty = mergeConfig(defaultConfig(), { emptyPagesWithToken: true });
    expect(all(empty)).toEqual({ seen: items.map((i) => i.id), pages: 7 });
    const repeat = mergeConfig(defaultConfig(), { repeatToken: true });
    const first = paginate(items, keyOf, { maxResults: 2 }, { filters: null, config: repeat, now: 0 });
    const second = paginate(
      items,
      keyOf,
      { maxResults: 2, nextToken: first.nextToken },
      { filters: null, config: repeat, now: 0 },
    );
    expect(second.nextToken).toBe(first.nextToken);
  });
});
