import type { Page } from "playwright-core";

/** Small helpers to drive Cloudscape components by their data-testid (set on each component's root). */
export function ui(page: Page) {
  /** A step that times out says what the page showed then (a CI flake is otherwise a bare timeout). */
  const step = async <T>(what: string, action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      const shown = await page
        .locator("body")
        .textContent({ timeout: 2_000 })
        .catch(() => "(page text unavailable)");
      if (error instanceof Error)
        error.message += `\n--- ${what} at ${page.url()}; the page showed:\n${(shown ?? "").slice(0, 3_000)}`;
      throw error;
    }
  };
  return {
    fill: (testId: string, value: string) =>
      step(`fill ${testId}`, () => page.getByTestId(testId).locator("input, textarea").first().fill(value)),
    choose: (testId: string, option: string | RegExp) =>
      step(`choose ${String(option)} in ${testId}`, async () => {
        await page.getByTestId(testId).locator("button, [role=button]").first().click();
        await page.getByRole("option", { name: option }).first().click();
      }),
    multiChoose: (testId: string, options: Array<string | RegExp>) =>
      step(`choose ${options.join(", ")} in ${testId}`, async () => {
        await page.getByTestId(testId).locator("button, [role=button]").first().click();
        for (const option of options) await page.getByRole("option", { name: option }).first().click();
        await page.keyboard.press("Escape");
      }),
    click: (testId: string) => step(`click ${testId}`, () => page.getByTestId(testId).click()),
    async signIn(email: string, password: string) {
      await page.getByTestId("sign-in-email").locator("input").fill(email);
      await page.getByTestId("sign-in-password").locator("input").fill(password);
      await page.getByTestId("sign-in-submit").click();
    },
    async status(): Promise<string> {
      return (await page.getByTestId("execution-status").textContent())?.trim() ?? "";
    },
  };
}
