package cms.e2e.journeys;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A real headless Chromium (Debian's chromium and chromedriver; Selenium's own driver download
 * cannot work here), with a download folder and screenshots of whole pages at desktop and phone
 * width written under target/screenshots.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    final ChromeDriver driver;
    final Path downloads;
    private final Path profile;

    Browser() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("Debian's chromium and chromium-driver are missing: infra/bin/test installs them");
        }
        profile = Files.createTempDirectory("cms-chromium-");
        downloads = Files.createDirectories(Path.of("target", "downloads")).toAbsolutePath();
        Files.createDirectories(SCREENSHOTS);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,900");
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow", "downloadPath", downloads.toString()));
    }

    <T> T waitFor(String what, Duration timeout, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, timeout, Duration.ofMillis(100)).withMessage(what).until(condition);
    }

    /**
     * Clicks the element as a person would: once it has stopped moving (the same place in two looks 300 ms apart).
     * WebDriver clicks at a point; a page that re-lays out between the scroll and the click gets the click elsewhere.
     */
    void clickWhenStill(By by, Duration timeout) {
        WebElement element = driver.findElement(by);
        js("arguments[0].scrollIntoView({block: 'center'})", element);
        String[] last = {null};
        waitFor("the position of " + by + " to settle", timeout, d -> {
            Object rect = js("const r = arguments[0].getBoundingClientRect(); return r.x + ',' + r.y + ',' + r.width + ',' + r.height", element);
            boolean still = rect.equals(last[0]);
            last[0] = String.valueOf(rect);
            if (!still) {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return still;
        });
        element.click();
    }

    /** The element's text, or null while it is not on the page. */
    String text(By by) {
        List<WebElement> found = driver.findElements(by);
        return found.isEmpty() ? null : found.get(0).getText();
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** The whole page at 1280 px (desktop) and 390 px (a phone), as NAME-desktop.png and NAME-phone.png. */
    void screenshots(String name) {
        shot(name + "-desktop");
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 390, "height", 844, "deviceScaleFactor", 2, "mobile", true));
        try {
            Thread.sleep(400); // the page re-lays out its charts on resize
            shot(name + "-phone");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    private void shot(String file) {
        Map<String, Object> r = driver.executeCdpCommand("Page.captureScreenshot",
                Map.of("format", "png", "captureBeyondViewport", true));
        try {
            Files.write(SCREENSHOTS.resolve(file + ".png"), Base64.getDecoder().decode((String) r.get("data")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for a finished download named {@code name} (Chromium writes .crdownload until done). */
    Path download(String name, Duration timeout) {
        Path file = downloads.resolve(name);
        waitFor("download of " + name, timeout, d -> Files.exists(file) && !Files.exists(downloads.resolve(name + ".crdownload")));
        return file;
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted((a, b) -> b.compareTo(a)).map(Path::toFile).forEach(File::delete);
        } catch (IOException ignored) {
            // a temporary profile left behind is harmless
        }
    }
}
