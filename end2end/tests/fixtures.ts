import { test as base, expect, Page } from "@playwright/test";
export type { Page };

/// Addresses a test expects to be refused (a 403 it provokes on purpose): Chromium reports
/// the refused load on the console, which is no error of the page's.
const refusedOnPurpose = new WeakMap<Page, string[]>();
export function expectRefused(page: Page, urlPart: string) {
  refusedOnPurpose.set(page, [...(refusedOnPurpose.get(page) ?? []), urlPart]);
}

/// Every test fails on any uncaught page error or console error.
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
      page.on("console", (m) => {
        // The 404 test asks for a missing page on purpose; Chromium reports that status.
        const url = m.location().url;
        const intended404 = url.includes("/no/such/page") || url.includes("/s/NoSuchLink");
        const refused = (refusedOnPurpose.get(page) ?? []).some((part) => url.includes(part));
        if (m.type() === "error" && !intended404 && !refused) errors.push(`console: ${m.text()}`);
      });
      await use(errors);
      expect(errors, "browser console errors").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

// Demo customers (see app/src/backend/demo.rs); each spec uses its own so that parallel
// tests never share a session.
export const DEMO_PASSWORD = "Anxin-Demo-2026";
export const STAFF_PASSWORD = "Anxin-Staff-2026";
export const demoPhone = (n: number) => `138${String(n).padStart(8, "0")}`;

export async function logIn(page: Page, phone: string, password = DEMO_PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("手机号").fill(phone);
  await page.locator("#password").fill(password);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
}
