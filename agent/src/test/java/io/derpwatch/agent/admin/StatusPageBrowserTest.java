package io.derpwatch.agent.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real browser (Debian's chromium, headless, over the DevTools protocol) against the agent
 * running on the lab: the home region, every region's latency, and a lab-scripted DERP loss within seconds.
 * Screenshots land in {@code agent/target/screenshots/} (the build artifact; {@code docs/images/status-page.png}
 * is a copy of the desktop one).
 */
class StatusPageBrowserTest {
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    @TempDir
    Path dir;

    @Test
    void statusPage_showsHomeRegionAndRegionLatencies_andADerpLossWithinSeconds() throws Exception {
        GlanceLab.require("chromium", Files.isExecutable(HeadlessChromium.EXECUTABLE), "apt-get install -y chromium");
        try (GlanceLab lab = GlanceLab.start(dir);
                HeadlessChromium browser = HeadlessChromium.start(dir.resolve("profile"), 1200, 1000)) {
            browser.navigate(lab.base() + "/");

            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                assertThat(browser.evaluate("document.getElementById('home-state').textContent")
                                .asText())
                        .isEqualTo("connected");
                assertThat(browser.evaluate("document.getElementById('home-region').textContent")
                                .asText())
                        .startsWith(GlanceLab.HOME);
                // every lab region in the table with a latency, and at least two reports in the chart
                assertThat(browser.evaluate("[...document.querySelectorAll('#regions tbody tr[data-region]')]"
                                        + ".filter(r => r.cells[2].textContent.endsWith(' ms')).length")
                                .asInt())
                        .isEqualTo(4);
                assertThat(browser.evaluate("document.querySelectorAll('#chart circle').length")
                                .asInt())
                        .isGreaterThanOrEqualTo(8);
            });
            String text = browser.text();
            assertThat(text).contains("lab-near", "lab-mid", "lab-far", "lab-farther", "home", "preferred", "UDP yes");
            // one region marked home (the lab's), one marked preferred (netcheck's pick: the machine's load decides)
            assertThat(browser.evaluate("[...document.querySelectorAll('#regions .tag.home')]"
                                    + ".map(t => t.closest('tr').dataset.region)")
                            .toString())
                    .isEqualTo("[\"" + GlanceLab.HOME + "\"]");
            assertThat(browser.evaluate("document.querySelectorAll('#regions .tag.pref').length")
                            .asInt())
                    .isEqualTo(1);
            assertThat(browser.foreignRequests(lab.base())).isEmpty();
            browser.screenshot(SCREENSHOTS.resolve("status-page.png"));

            lab.loseHomeDerp();

            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
                assertThat(browser.evaluate("document.getElementById('home-state').textContent")
                                .asText())
                        .isEqualTo("NOT connected");
                assertThat(browser.evaluate("document.getElementById('home-reason').textContent")
                                .asText())
                        .isEqualTo("derp_unreachable");
                assertThat(browser.text()).contains("could not connect to the 'Lab middle' relay server");
            });
            browser.screenshot(SCREENSHOTS.resolve("status-page-derp-lost.png"));

            browser.viewport(390, 844, 2, true);
            await().atMost(Duration.ofSeconds(10))
                    .ignoreExceptions()
                    .untilAsserted(() -> assertThat(
                                    browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
                                            .asBoolean())
                            .as("no horizontal scrolling on a phone")
                            .isTrue());
            browser.screenshot(SCREENSHOTS.resolve("status-page-phone.png"));
        }
    }
}
