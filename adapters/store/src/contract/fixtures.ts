import type { AppError, Page, PageRequest } from "@drso/core";
import { expect } from "vitest";

export * from "./records.js";

export async function expectAppError<E extends AppError>(
  call: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
  code: string,
): Promise<E> {
  let failure: unknown;
  let failed = false;
  try {
    await call;
  } catch (error) {
    failure = error;
    failed = true;
  }
  expect(failed, `expected ${type.name} ${code}, but the call succeeded`).toBe(true);
  expect(failure).toBeInstanceOf(type);
  expect((failure as E).code).toBe(code);
  return failure as E;
}

/** Follows nextToken until the end; every page but the last must be full. */
export async function walk<T>(
  fetch: (page: PageRequest) => Promise<Page<T>>,
  limit: number,
  startToken?: string,
): Promise<T[]> {
  const items: T[] = [];
  let token = startToken;
  for (let pages = 0; pages < 1000; pages++) {
    const request: PageRequest = { limit };
    if (token !== undefined) request.nextToken = token;
    const page = await fetch(request);
    items.push(...page.items);
    if (page.nextToken === undefined) return items;
    expect(page.items).toHaveLength(limit);
    token = page.nextToken;
  }
  throw new Error("pagination did not terminate after 1000 pages");
}
