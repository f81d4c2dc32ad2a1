import { test, expect, STAFF_PASSWORD, Page } from "./fixtures";

// Satisfaction surveys (DESIGN.md, journey 4). The demo invites for every recent completed
// service and paid claim and texts the open ones (app/src/backend/demo_surveys.rs;
// server/tests/api/demo.rs checks that there are enough): a supervisor finds them in the
// outbox, as a demo would. Each project answers a different one (sorted by phone), and
// none of them is customer 1's, which the demo login keeps open.
const nth: Record<string, number> = { desktop: 0, phone: 1, "no-js": 2 };

async function supervisorLogIn(page: Page) {
  await page.goto("/staff/login");
  await page.getByLabel("用户名").fill("super.zhang");
  await page.locator("#password").fill(STAFF_PASSWORD);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page).toHaveURL(/\/staff$/);
}

test("a customer answers a survey from its SMS link, once @nojs", async ({ page, browser }, info) => {
  await supervisorLogIn(page);
  await page.goto("/staff/outbox");
  const rows = page.getByTestId("outbox-row").filter({ hasText: "1-10分请评价" });
  const found: { phone: string; link: string }[] = [];
  for (const row of await rows.all()) {
    const phone = (await row.locator("td.mono").textContent())!.trim();
    const link = (await row.getByTestId("outbox-link").getAttribute("href"))!;
    if (phone !== "138****0001") found.push({ phone, link });
  }
  found.sort((a, b) => a.phone.localeCompare(b.phone));
  const mine = found[nth[info.project.name]];
  expect(mine, `an open survey for ${info.project.name}`).toBeTruthy();
  const n = Number(mine.phone.slice(-4));

  // The customer's phone: no session, just the link; opening it twice changes nothing.
  const phone = await browser.newContext({ ...info.project.use, baseURL: undefined });
  const p = await phone.newPage();
  const errors: string[] = [];
  p.on("pageerror", (e) => errors.push(e.message));
  await p.goto(mine.link);
  await p.goto(mine.link);
  await expect(p.getByRole("heading", { name: "满意度调查" })).toBeVisible();
  await p.getByLabel("身份证号后 4 位").fill(`${100 + n}8`);
  await p.getByRole("button", { name: "验证并继续" }).click();
  await expect(p).toHaveURL(/\/surveys\/[A-Za-z0-9]+$/);
  const form = p.getByTestId("survey-form");
  await expect(form.locator("legend")).toContainText("1 分最不满意");
  await expect(form.locator('input[name="score"]')).toHaveCount(10);
  if (info.project.name === "desktop") {
    // Keyboard: into the group, then the arrow keys move the choice.
    await p.locator("#score-1").focus();
    await p.keyboard.press("Space");
    for (let i = 0; i < 8; i++) await p.keyboard.press("ArrowRight");
    await expect(p.locator("#score-9")).toBeChecked();
  } else {
    // A tap on the big number.
    await p.locator('label[for="score-9"]').click();
    await expect(p.locator("#score-9")).toBeChecked();
  }
  await p.getByLabel("想对我们说的话（选填）").fill("救援很及时，谢谢！");
  await p.getByRole("button", { name: "提交评价" }).click();
  await expect(p.getByTestId("done")).toContainText("感谢您的评价");
  await expect(p.getByTestId("survey-score")).toHaveText("9 分");
  await expect(p.getByTestId("survey-form")).toHaveCount(0);
  // Back and submitted again: told plainly, still one answer.
  await p.goBack();
  await p.goto(p.url());
  await expect(p.getByTestId("survey-answered")).toContainText("只能回答一次");
  await phone.close();
  expect(errors).toEqual([]);
});

test("a supervisor reads the results, filters them and downloads the CSV @nojs", async ({ page }, info) => {
  await supervisorLogIn(page);
  await page.getByTestId("survey-results-link").click();
  await expect(page).toHaveURL(/\/staff\/surveys$/);
  await expect(page.getByTestId("score-chart").locator("svg")).toBeVisible();
  await expect(page.getByTestId("score-table")).toBeVisible();
  await expect(page.getByTestId("stat-average")).toHaveText(/^\d+\.\d$/);
  await expect(page.getByTestId("stat-rate")).toHaveText(/^\d+%$/);
  await expect(page.getByTestId("by-kind")).toContainText("理赔");
  await expect(page.getByTestId("by-month").locator("tbody tr")).toHaveCount(6);
  await page.getByLabel("服务类别", { exact: true }).selectOption("claim");
  await page.getByRole("button", { name: "筛选" }).click();
  await expect(page).toHaveURL(/service=claim/);
  await expect(page.getByLabel("服务类别", { exact: true })).toHaveValue("claim");
  if (info.project.name !== "no-js") {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("survey-csv").click()]);
    expect(download.suggestedFilename()).toMatch(/^anxin-surveys-\d{4}-\d{2}-\d{4}-\d{2}\.csv$/);
  } else {
    const res = await page.request.get((await page.getByTestId("survey-csv").getAttribute("href"))!);
    expect(res.status()).toBe(200);
    expect(await res.text()).toContain("评分");
  }
});
