import { test, expect, logIn, demoPhone, STAFF_PASSWORD, expectRefused } from "./fixtures";

// Journey 5: a member of staff finds a customer, views the account as them with a reason,
// sees the banner and the customer's policies, cannot pay, ends; the customer then sees
// that visit under account access. Customers 8 and 9 have a renewal due (the a11y spec
// only reads theirs too).
const customer: Record<string, number> = { desktop: 8, phone: 9 };

test("staff view a customer's account as them, cannot pay, and the customer sees the visit", async ({ page, browser }, info) => {
  test.skip(info.project.name === "no-js");
  const n = customer[info.project.name];
  const reason = `客户来电询问续保保费（${info.project.name}）`;

  await page.goto("/staff/login");
  await page.locator("#username").fill("agent.wang");
  await page.locator("#password").fill(STAFF_PASSWORD);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page).toHaveURL(/\/staff$/);
  await page.getByTestId("customers-link").click();
  await page.getByLabel("姓名、手机号、保单号或理赔编号").fill(demoPhone(n).slice(-4));
  await page.getByRole("button", { name: "查询", exact: true }).click();
  const row = page.getByTestId("customer-row");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("****");
  await row.getByTestId("customer-link").click();
  await expect(page).toHaveURL(/\/staff\/customers\/[A-Za-z0-9]+$/);
  const customerName = (await page.getByTestId("customer-name").innerText()).trim();
  await expect(page.getByTestId("customer-tag").first()).toBeVisible();
  await expect(page.getByTestId("customer-tier")).toBeVisible();

  // Too short a reason is refused, in words, with the field marked.
  await page.getByLabel("查看原因（必填，至少 10 个字）").fill("看看");
  await page.getByLabel("查看原因（必填，至少 10 个字）").evaluate((e) => e.removeAttribute("minlength"));
  await page.getByTestId("start-viewing").click();
  await expect(page.getByTestId("form-error")).toContainText("至少 10 个字");

  await page.getByLabel("查看原因（必填，至少 10 个字）").fill(reason);
  await page.getByLabel("工单号（选填）").fill("INC-2026-0042");
  await page.getByTestId("start-viewing").click();
  await expect(page).toHaveURL(/\/$/);
  const banner = page.getByTestId("viewing-banner");
  await expect(banner).toContainText(`正在以 ${customerName} 的身份查看 — 王芳`);
  await expect(banner).toContainText(/剩余 (30:00|29:\d\d)/);

  // The customer's policies, as they see them, numbers masked.
  await page.goto("/policies");
  await expect(page.getByTestId("group-due")).toBeVisible();
  await expect(banner).toBeVisible();
  await page.getByTestId("renew-link").first().click();
  await expect(page).toHaveURL(/\/renew$/);
  // Paying starts with the identity check: refused, and said why.
  expectRefused(page, "/api/step_up");
  await page.getByLabel("身份证号后 4 位").fill(`${100 + n}8`);
  await page.getByRole("button", { name: "确认", exact: true }).click();
  await expect(page.getByTestId("refused")).toContainText("只有客户本人");
  await expect(page.getByTestId("pay-button")).toHaveCount(0);

  await page.goto("/");
  await page.getByTestId("end-viewing").click();
  await expect(page).toHaveURL(/\/staff\/customers\/[A-Za-z0-9]+\?viewing=ended$/);
  await expect(page.getByTestId("viewing-ended")).toBeVisible();
  await expect(page.getByTestId("viewing-banner")).toHaveCount(0);

  // The customer, on their own device: the visit, who made it, and why.
  const own = await browser.newContext({ ...info.project.use, baseURL: undefined });
  const c = await own.newPage();
  const base = new URL(page.url()).origin;
  await c.goto(`${base}/login`);
  await c.getByLabel("手机号").fill(demoPhone(n));
  await c.locator("#password").fill("Anxin-Demo-2026");
  await c.getByRole("button", { name: "登录", exact: true }).click();
  await expect(c).toHaveURL(/\/$/);
  await c.getByTestId("access-link").click();
  const visit = c.getByTestId("visit").filter({ hasText: reason });
  await expect(visit).toHaveCount(1);
  await expect(visit).toContainText("王芳");
  await expect(visit).toContainText("客服坐席");
  await own.close();
});
