//! The console in headless Chromium (Debian's chromium and chromium-driver), driven over
//! WebDriver with fantoccini: log in, filter the list, open a finding, rectify it.
//!
//! Without /usr/bin/chromium and /usr/bin/chromedriver the test says on stderr that it was
//! skipped and passes, so that `cargo test` works on any machine; `.ci/run` installs both
//! and sets `XUNCHA_BROWSER_TESTS=require`, which turns their absence into a failure.

use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};

use crate::console::{Server, PASSWORD};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Ends chromedriver (and so its browser) when the test ends, however it ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Whether the browser tests can run here; says so plainly when they cannot.
fn browser_available() -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER].into_iter().filter(|p| !Path::new(p).exists()).collect();
    if missing.is_empty() {
        return true;
    }
    let required = std::env::var("XUNCHA_BROWSER_TESTS").is_ok_and(|v| v == "require");
    assert!(
        !required,
        "XUNCHA_BROWSER_TESTS=require but {} missing (apt-get install chromium chromium-driver)",
        missing.join(" and ")
    );
    // straight to stderr: the test harness captures only print! and eprint!
    let _ = writeln!(
        std::io::stderr(),
        "\nSKIPPED the console's browser tests: {} not installed (apt-get install chromium chromium-driver; \
         XUNCHA_BROWSER_TESTS=require makes this a failure)\n",
        missing.join(" and ")
    );
    false
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn start_driver() -> (Driver, u16) {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver(child);
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(60), "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    (driver, port)
}

#[test]
fn a_supervisor_logs_in_filters_opens_and_rectifies_in_chromium() {
    if !browser_available() {
        return;
    }
    let server = Server::start();
    let profile = tempfile::tempdir().expect("profile dir");
    let (_driver, port) = start_driver();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let c = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session");
        let base = &server.base;

        // log in
        c.goto(&format!("{base}/findings")).await.expect("open the list");
        c.find(Locator::Css("#login")).await.expect("login field").send_keys("suozhang").await.expect("type");
        c.find(Locator::Css("#password")).await.expect("password field").send_keys(PASSWORD).await.expect("type");
        c.find(Locator::Css("#submit")).await.expect("button").click().await.expect("log in");
        for _ in 0..200 {
            if c.find(Locator::Css("#login")).await.is_err() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let url = c.current_url().await.expect("url");
        assert!(url.path() == "/findings", "back on the list after logging in: {url}");

        // filter: open violations
        c.find(Locator::Css("select[name=status]")).await.expect("status").select_by_value("open").await.expect("pick");
        c.find(Locator::Css("select[name=level]"))
            .await
            .expect("level")
            .select_by_value("violation")
            .await
            .expect("pick");
        c.find(Locator::Css("#apply")).await.expect("apply").click().await.expect("filter");
        // the form submits and the browser navigates: wait for the filtered page's address
        let mut url = c.current_url().await.expect("url");
        for _ in 0..200 {
            if url.query().is_some_and(|q| q.contains("status=open")) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            url = c.current_url().await.expect("url");
        }
        assert!(url.query().is_some_and(|q| q.contains("status=open") && q.contains("level=violation")), "{url}");
        let rows = c.find_all(Locator::Css("#findings tbody tr")).await.expect("rows");
        assert!(!rows.is_empty(), "open findings of the unit are listed");
        for r in &rows {
            let text = r.text().await.expect("row text");
            assert!(text.contains("待整改") && !text.contains("待核查"), "{text}");
        }

        // open the first finding
        let link = c.find(Locator::Css("#findings tbody tr td a")).await.expect("a finding link");
        let id = link.text().await.expect("id").trim_start_matches('#').to_owned();
        link.click().await.expect("open it");
        assert_eq!(c.current_url().await.expect("url").path(), format!("/findings/{id}"));
        let status = c.find(Locator::Css("#status")).await.expect("status").text().await.expect("text");
        assert_eq!(status.trim(), "待整改");

        // rectify it with a note
        c.find(Locator::Css("#act-rectify textarea[name=note]"))
            .await
            .expect("the rectification note")
            .send_keys("已补充通知家属并附回执")
            .await
            .expect("type the note");
        c.find(Locator::Css("#act-rectify button")).await.expect("the button").click().await.expect("rectify");
        // the form posts and the page reloads: read the status of the page that comes back
        // (the old page's element goes stale while the browser navigates)
        let mut status = String::new();
        for _ in 0..200 {
            if let Ok(e) = c.find(Locator::Css("#status")).await {
                if let Ok(t) = e.text().await {
                    status = t;
                    if status.trim() == "已整改" {
                        break;
                    }
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(status.trim(), "已整改");
        let history = c.find(Locator::Css("#history")).await.expect("history").text().await.expect("text");
        assert!(history.contains("suozhang") && history.contains("已补充通知家属并附回执"), "{history}");
        c.close().await.expect("close the browser");
    });
    let id: i64 = server
        .store()
        .conn
        .query_row("SELECT finding_id FROM finding_events WHERE by = 'suozhang' AND to_status = 'rectified'", [], |r| {
            r.get(0)
        })
        .expect("the event names the logged-in user");
    assert!(id > 0);
}
