import { test, expect, logIn, demoPhone, Page } from "./fixtures";

// Demo customers 1..12 each have a policy due for renewal and a saved payment method;
// customer n's ID number ends in 1{nn}8 (app/src/backend/demo.rs). Each test and project
// uses its own customer, because paying uses the offer up.
const idLast4 = (n: number) => `${100 + n}8`;
const pick = (project: string, byProject: Record<string, number>) => byProject[project];

async function openDueRenewal(page: Page, n: number) {
  await logIn(page, demoPhone(n));
  await page.goto("/policies");
  await expect(page.getByTestId("group-due")).toBeVisible();
  await page.getByTestId("renew-link").first().click();
  await expect(page).toHaveURL(/\/policies\/[A-Za-z0-9]+\/renew$/);
  // Why the premium changed, item by item.
  await expect(page.getByTestId("price-compare")).toBeVisible();
  await expect(page.getByTestId("price-items").locator("li").last()).toContainText("合计变化");
  // Step-up before paying.
  await page.getByLabel("身份证号后 4 位").fill(idLast4(n));
  await page.getByRole("button", { name: "确认", exact: true }).click();
  await expect(page.getByTestId("pay-button")).toBeVisible();
}

test("a policyholder renews with the saved method and sees the receipt and the extended policy @nojs", async ({ page }, info) => {
  const n = pick(info.project.name, { desktop: 1, phone: 2, "no-js": 3 });
  await openDueRenewal(page, n);
  const payButton = page.getByTestId("pay-button");
  await expect(payButton).toContainText(/支付 ¥[\d,]+\.\d\d/);
  await expect(page.locator('input[name="method"]:checked')).toHaveValue(/^saved:/);
  await payButton.click();
  await expect(page).toHaveURL(/\/payments\/[A-Za-z0-9]+$/);
  await expect(page.getByTestId("receipt")).toBeVisible({ timeout: 15_000 });
  const newPeriod = (await page.getByTestId("new-period").textContent())!.trim();
  await page.getByRole("link", { name: "返回保单" }).click();
  await expect(page.getByTestId("cover-period")).toHaveText(newPeriod);
});

test("double-tapping pay still makes one payment", async ({ page }, info) => {
  const n = pick(info.project.name, { desktop: 4, phone: 5 });
  await openDueRenewal(page, n);
  await page.getByTestId("pay-button").dblclick();
  await expect(page.getByTestId("receipt")).toBeVisible({ timeout: 15_000 });
  await page.getByRole("link", { name: "返回保单" }).click();
  await expect(page.locator('a[href^="/payments/"]')).toHaveCount(1);
});

test("a declined card shows the failure and another method works", async ({ page }, info) => {
  const n = pick(info.project.name, { desktop: 6, phone: 7 });
  await openDueRenewal(page, n);
  await page.getByLabel("银联卡", { exact: true }).check();
  await page.locator("#card_no").fill("6200 0000 0000 0005");
  await page.getByTestId("pay-button").click();
  await expect(page.getByTestId("payment-failed")).toContainText("银行拒绝了这笔交易", { timeout: 15_000 });
  await page.getByTestId("try-again").click();
  await page.getByLabel("微信支付").check();
  await page.getByTestId("pay-button").click();
  await expect(page.getByTestId("receipt")).toBeVisible({ timeout: 15_000 });
});
