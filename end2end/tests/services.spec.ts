import { test, expect, logIn, demoPhone } from "./fixtures";

// Demo customers 17, 18 and 20 each have a health check-up left this policy year, and 24–26
// a motor policy with roadside help
// (app/src/backend/demo_services.rs; server/tests/api/demo.rs checks it). One per project,
// because booking spends the use.
const pick = (project: string, byProject: Record<string, number>) => byProject[project];

test("a policyholder books a check-up step by step, sees it under bookings, and cancels it @nojs", async ({ page }, info) => {
  const n = pick(info.project.name, { desktop: 17, phone: 18, "no-js": 20 });
  await logIn(page, demoPhone(n));
  await page.getByTestId("services-link").click();
  await expect(page).toHaveURL(/\/services$/);
  await page.getByTestId("book-link").first().click();
  await page.getByTestId("provider").first().click();
  await page.getByTestId("day").first().click();
  // The first time with a place left, then confirm.
  await page.locator('input[name="slot"]:not([disabled])').first().check();
  await page.getByRole("button", { name: "下一步" }).click();
  await expect(page.getByTestId("confirm-form")).toBeVisible();
  const when = (await page.getByTestId("confirm-time").textContent())!.trim();
  await page.getByRole("button", { name: "确认预约" }).click();
  await expect(page).toHaveURL(/\/bookings\/[A-Za-z0-9]+\?done=booked$/);
  await expect(page.getByTestId("done")).toContainText("预约成功");
  await expect(page.getByTestId("booking-time")).toHaveText(when);
  await expect(page.getByTestId("ics")).toBeVisible();
  await page.getByTestId("cancel").click();
  await expect(page.getByTestId("booking-state")).toHaveText("已取消");
});

test("roadside help asked for from the phone shows its number and the hotline @nojs", async ({ page }, info) => {
  const n = pick(info.project.name, { desktop: 24, phone: 25, "no-js": 26 });
  await logIn(page, demoPhone(n));
  await page.goto("/roadside");
  await expect(page.getByTestId("hotline")).toContainText("95500");
  await expect(page.getByTestId("roadside-form")).toBeVisible();
  await page.getByLabel("车辆位置").fill("延安高架路 外滩出口前 200 米");
  await page.getByLabel("发生了什么").fill("左前轮爆胎");
  await page.getByLabel("回电号码").fill(demoPhone(n));
  await page.getByRole("button", { name: "立即申请救援" }).click();
  await expect(page.getByTestId("request-no")).toHaveText(/^RA\d{14}$/);
  await expect(page.getByTestId("roadside-state")).toHaveText("已受理");
  await expect(page.getByTestId("hotline")).toContainText("95500");
});
