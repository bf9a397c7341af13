import type { Page } from "playwright-core";

/** Small helpers to drive Cloudscape components by their data-testid (set on each component's root). */
export function ui(page: Page) {
  return {
    async fill(testId: string, value: string) {
      const input = page.getByTestId(testId).locator("input, textarea").first();
      await input.fill(value);
    },
    async choose(testId: string, option: string | RegExp) {
      await page.getByTestId(testId).locator("button, [role=button]").first().click();
      await page.getByRole("option", { name: option }).first().click();
    },
    async multiChoose(testId: string, options: Array<string | RegExp>) {
      await page.getByTestId(testId).locator("button, [role=button]").first().click();
      for (const option of options) await page.getByRole("option", { name: option }).first().click();
      await page.keyboard.press("Escape");
    },
    async click(testId: string) {
      await page.getByTestId(testId).click();
    },
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
