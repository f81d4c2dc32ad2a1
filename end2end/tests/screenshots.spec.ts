import { test, logIn, demoPhone } from "./fixtures";

// `make screenshots` regenerates docs/screenshots/; the normal test run skips this file.
test.skip(!process.env.ANXIN_SCREENSHOTS, "only for make screenshots");

const pages: [string, string, boolean][] = [
  ["login", "/login", false],
  ["activate", "/activate", false],
  ["code-login", "/login/code", false],
  ["home", "/", true],
  ["not-found", "/no/such/page", false],
];

for (const [name, path, needsLogin] of pages) {
  test(`screenshot ${name}`, async ({ page }, info) => {
    if (info.project.name === "no-js") test.skip();
    if (needsLogin) await logIn(page, demoPhone(info.project.name === "desktop" ? 6 : 7));
    await page.goto(path);
    await page.screenshot({ path: `../docs/screenshots/${name}-${info.project.name}.png`, fullPage: true });
  });
}
