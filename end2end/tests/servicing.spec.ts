import { test, expect, STAFF_PASSWORD, logIn, demoPhone, Page } from "./fixtures";

// Servicing (保全) on a phone, with and without JavaScript: a beneficiary change that a
// reviewer approves, and a policy loan asked for after naming a payout account.
const beneficiaryCustomer: Record<string, number> = { phone: 28, "no-js": 29 };
const loanCustomer: Record<string, number> = { phone: 13, "no-js": 14 };

/// A valid resident ID number (GB 11643) from its first 17 digits.
function idNumber(first17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, c, i) => s + Number(c) * w[i], 0);
  return first17 + "10X98765432"[sum % 11];
}

async function stepUp(page: Page, n: number) {
  await expect(page.getByTestId("id-check-form")).toBeVisible();
  await page.locator("#id_last4").fill(`${100 + n}8`);
  await page.getByRole("button", { name: "确认身份" }).click();
}

async function staffPage(browser: import("@playwright/test").Browser, info: import("@playwright/test").TestInfo, base: string) {
  const ctx = await browser.newContext({ ...info.project.use, baseURL: undefined });
  const s = await ctx.newPage();
  await s.goto(`${base}/staff/login`);
  await s.locator("#username").fill("claims.li");
  await s.locator("#password").fill(STAFF_PASSWORD);
  await s.getByRole("button", { name: "登录", exact: true }).click();
  await expect(s).toHaveURL(/\/staff$/);
  return { ctx, s };
}

test("change a life policy's beneficiaries on a phone; a reviewer approves it @nojs", async ({ page, browser }, info) => {
  test.skip(info.project.name === "desktop", "the phone journey");
  const n = beneficiaryCustomer[info.project.name];
  await logIn(page, demoPhone(n));
  await page.goto("/requests");
  await page.getByTestId("change-beneficiaries").first().click();
  await stepUp(page, n);
  const form = page.getByTestId("beneficiaries-form");
  await expect(form).toBeVisible();
  // The form comes back filled with who is named now: every field is typed again.
  const fill = async (second: string) => {
    await page.locator("#name_1").fill("林雅婷");
    await page.locator("#relation_1").selectOption("spouse");
    await page.locator("#id_number_1").fill(idNumber("31010419860314122"));
    await page.locator("#share_1").fill("60");
    await page.locator("#name_2").fill("林子涵");
    await page.locator("#relation_2").selectOption("child");
    await page.locator("#id_number_2").fill(idNumber("31010420140702215"));
    await page.locator("#share_2").fill(second);
    await page.getByTestId("beneficiaries-submit").click();
  };
  await fill("30");
  // Shares that do not add up: told so, on the form.
  await expect(page).toHaveURL(/error=shares_sum/);
  await expect(page.getByRole("alert")).toContainText("100%");
  await fill("40");
  await expect(page).toHaveURL(/\/requests\/[A-Za-z0-9]+\?done=submitted$/);
  await expect(page.getByTestId("request-done")).toBeVisible();
  await expect(page.getByTestId("request-state")).toHaveText("已提交");
  await expect(page.getByTestId("asked-beneficiary")).toHaveCount(2);
  const requestPath = new URL(page.url()).pathname;
  const id = requestPath.split("/").pop()!;

  const base = new URL(page.url()).origin;
  const { ctx, s } = await staffPage(browser, info, base);
  await s.goto(`${base}/staff/requests/${id}`);
  await s.getByTestId("take-review").click();
  await expect(s.getByTestId("staff-done")).toBeVisible();
  await s.getByTestId("approve").click();
  await expect(s).toHaveURL(/done=done/);
  await ctx.close();

  await page.goto(requestPath);
  await expect(page.getByTestId("request-state")).toHaveText("办理完成");
  await expect(page.getByTestId("step-done")).toBeVisible();
});

test("name a payout account, then ask for a policy loan on a phone @nojs", async ({ page }, info) => {
  test.skip(info.project.name === "desktop", "the phone journey");
  const n = loanCustomer[info.project.name];
  await logIn(page, demoPhone(n));
  await page.goto("/requests/new/accounts");
  await stepUp(page, n);
  const payout = page.getByTestId("payout-form");
  await expect(payout).toBeVisible();
  await payout.locator("#payout-bank").check();
  await payout.locator("select[name=bank]").selectOption("cmb");
  await payout.locator("#account_no").fill("6225 8801 3770 6866");
  await page.getByTestId("payout-submit").click();
  await expect(page).toHaveURL(/\?done=payout_account$/);
  await expect(page.getByTestId("asked-account")).toHaveText("招商银行 ****6866");

  await page.goto("/requests");
  await page.getByTestId("policy-loan").first().click();
  await expect(page.getByTestId("loan-terms")).toBeVisible();
  await expect(page.getByTestId("loan-payout")).toHaveText("招商银行 ****6866");
  await page.locator("#amount").fill("100");
  await page.getByTestId("loan-submit").click();
  await expect(page).toHaveURL(/error=loan_below_minimum/);
  await expect(page.locator("#amount")).toHaveAttribute("aria-invalid", "true");
  await page.locator("#amount").fill("1000");
  await page.getByTestId("loan-submit").click();
  await expect(page).toHaveURL(/\/requests\/[A-Za-z0-9]+\?done=submitted$/);
  await expect(page.getByTestId("asked-amount")).toHaveText("¥1,000.00");
});
