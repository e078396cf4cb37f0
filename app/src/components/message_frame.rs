//! The frame a received HTML body is shown in, sized to its content.
//!
//! The body is sanitised HTML in a sandboxed `srcdoc` frame with an opaque
//! origin and no scripts, so the page cannot read the frame's document to
//! learn how tall it is. The server sends an estimate
//! (`sanitize::estimated_height`), which is all the basic interface has
//! (the frame can also be resized by hand). With scripts, the page lays out
//! a hidden copy of the same body in a closed shadow root, with the frame's
//! own style and width and nothing of the page's, measures it, and sizes the
//! frame to it, again whenever the copy changes size (images arriving, the
//! window resized). The copy is inert, hidden from assistive technology,
//! off screen and of no height in the page; it is the same sanitised HTML,
//! less any image that points at this server (which from the page, unlike
//! from the frame, would carry the session's cookies).

use leptos::prelude::*;

/// The style of the frame's document body (and of the measured copy).
pub const BODY_CSS: &str = "font-family:system-ui,sans-serif;margin:0;padding:8px;overflow-x:auto";
/// The style of images in the frame (and in the copy).
pub const IMAGE_CSS: &str = "max-width:100%;height:auto";
/// Bodies longer than this are not measured (laying them out twice costs
/// more than the estimate's error).
pub const MAX_MEASURED_BYTES: usize = 1024 * 1024;
/// The tallest the frame grows; a longer message scrolls inside it.
pub const MAX_HEIGHT_PX: i32 = 20_000;

/// Wraps sanitised mail HTML into the document of the sandboxed frame: its
/// own CSP (no scripts, no remote loads unless images are shown) and links
/// that open outside the frame.
pub fn frame_document(html: &str, images_shown: bool) -> String {
    let img = if images_shown {
        "data: https: http:"
    } else {
        "data:"
    };
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src {img}; style-src 'unsafe-inline'; font-src data:\">\
         <base target=\"_blank\"><style>body{{{BODY_CSS}}}img{{{IMAGE_CSS}}}</style>\
         </head><body>{html}</body></html>"
    )
}

/// The body of a frame document built by `frame_document`: between its
/// `<body>` and `</body>`.
pub fn frame_body(document: &str) -> &str {
    let start = document.find("<body>").map_or(0, |i| i + "<body>".len());
    let end = document.rfind("</body>").unwrap_or(document.len());
    document.get(start..end.max(start)).unwrap_or("")
}

/// The message body frame: `document` is the frame's whole document,
/// `height` the server's estimate in pixels.
#[component]
pub fn MessageFrame(document: String, height: u32) -> impl IntoView {
    let frame = NodeRef::<leptos::html::Iframe>::new();
    #[cfg(feature = "hydrate")]
    {
        let body = frame_body(&document).to_owned();
        let fitted: StoredValue<Option<fit::Fitted>, LocalStorage> = StoredValue::new_local(None);
        Effect::new(move |_| {
            if let Some(el) = frame.get() {
                fitted.set_value(fit::fit(&el, &body));
            }
        });
        on_cleanup(move || {
            fitted.try_update_value(|f| f.take());
        });
    }
    view! {
        <iframe
            node_ref=frame
            class="message-frame"
            title="Message body"
            style=format!("height: {height}px")
            sandbox="allow-popups allow-popups-to-escape-sandbox"
            referrerpolicy="no-referrer"
            srcdoc=document
        ></iframe>
    }
}

#[cfg(feature = "hydrate")]
mod fit {
    use leptos::wasm_bindgen::JsCast;
    use leptos::wasm_bindgen::closure::Closure;
    use leptos::web_sys;

    /// A frame being fitted: the hidden copy and what watches it. Dropped,
    /// it removes the copy and stops watching.
    pub struct Fitted {
        host: web_sys::HtmlElement,
        observer: web_sys::ResizeObserver,
        _on_resize: Closure<dyn FnMut()>,
        _on_window: Closure<dyn FnMut()>,
    }

    impl Drop for Fitted {
        fn drop(&mut self) {
            self.observer.disconnect();
            if let Some(w) = web_sys::window() {
                let _ = w.remove_event_listener_with_callback(
                    "resize",
                    self._on_window.as_ref().unchecked_ref(),
                );
            }
            self.host.remove();
        }
    }

    /// Lays out `body` off screen at the frame's width and keeps the frame
    /// as tall as it. `None` when the browser lacks what this needs; the
    /// frame keeps the server's estimate.
    pub fn fit(frame: &web_sys::HtmlIFrameElement, body: &str) -> Option<Fitted> {
        // A body of megabytes would be laid out twice: the estimate will do.
        if body.len() > super::MAX_MEASURED_BYTES {
            return None;
        }
        let window = web_sys::window()?;
        let document = window.document()?;
        let here = window.location().host().ok()?;
        let host: web_sys::HtmlElement = document.create_element("div").ok()?.dyn_into().ok()?;
        host.set_attribute("aria-hidden", "true").ok()?;
        host.set_attribute("inert", "").ok()?;
        let style = host.style();
        // No height of its own and nothing shown beyond it: however tall the
        // copy, the page does not scroll further.
        for (k, v) in [
            ("position", "absolute"),
            ("left", "-100000px"),
            ("top", "0"),
            ("height", "0"),
            ("overflow", "hidden"),
            ("visibility", "hidden"),
            ("contain", "layout paint"),
        ] {
            style.set_property(k, v).ok()?;
        }
        set_width(&host, frame);
        // Parsed in a template first, where nothing loads: images the frame
        // could not load either (this server's own URLs, which from here
        // would carry the session's cookies) are taken out before the copy
        // joins the page.
        let template: web_sys::HtmlTemplateElement =
            document.create_element("template").ok()?.dyn_into().ok()?;
        template.set_inner_html(&format!(
            "<style>:host{{all:initial;display:block}}.body{{{}}}img{{{}}}</style><div class=\"body\">{body}</div>",
            super::BODY_CSS,
            super::IMAGE_CSS
        ));
        let content = template.content();
        let loadable = |url: &str| {
            let url = url.trim();
            url.starts_with("data:")
                || ["https://", "http://"].iter().any(|scheme| {
                    url.get(..scheme.len())
                        .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
                        && !url[scheme.len()..]
                            .split(['/', '?', '#'])
                            .next()
                            .and_then(|authority| authority.rsplit('@').next())
                            .is_some_and(|h| h.eq_ignore_ascii_case(&here))
                })
        };
        if let Ok(images) = content.query_selector_all("img[src]") {
            for i in 0..images.length() {
                if let Some(img) = images
                    .item(i)
                    .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
                    && !img.get_attribute("src").is_some_and(|src| loadable(&src))
                {
                    let _ = img.remove_attribute("src");
                }
            }
        }
        if let Ok(styled) = content.query_selector_all("[style]") {
            for i in 0..styled.length() {
                if let Some(el) = styled
                    .item(i)
                    .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let css = el.style();
                    let background = css
                        .get_property_value("background-image")
                        .unwrap_or_default();
                    let url = background
                        .split_once("url(")
                        .map(|(_, u)| u.trim_start_matches(['"', '\'']).to_owned());
                    if url.is_some_and(|u| !loadable(&u)) {
                        let _ = css.remove_property("background-image");
                    }
                }
            }
        }
        let root = host
            .attach_shadow(&web_sys::ShadowRootInit::new(
                web_sys::ShadowRootMode::Closed,
            ))
            .ok()?;
        root.append_child(&content).ok()?;
        let copy: web_sys::HtmlElement = root.query_selector(".body").ok()??.dyn_into().ok()?;
        document.body()?.append_child(&host).ok()?;

        let measure = {
            let copy = copy.clone();
            let frame = frame.clone();
            move || {
                // The frame's border and a horizontal scroll bar's room.
                let h = (copy.offset_height() + 20).clamp(60, super::MAX_HEIGHT_PX);
                let _ = frame.style().set_property("height", &format!("{h}px"));
            }
        };
        measure();
        let on_resize = Closure::<dyn FnMut()>::new(measure);
        let observer = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok()?;
        observer.observe(&copy);
        let on_window = {
            let host = host.clone();
            let frame = frame.clone();
            Closure::<dyn FnMut()>::new(move || set_width(&host, &frame))
        };
        web_sys::window()?
            .add_event_listener_with_callback("resize", on_window.as_ref().unchecked_ref())
            .ok()?;
        Some(Fitted {
            host,
            observer,
            _on_resize: on_resize,
            _on_window: on_window,
        })
    }

    /// The copy takes the width of the frame's document.
    fn set_width(host: &web_sys::HtmlElement, frame: &web_sys::HtmlIFrameElement) {
        let width = frame.client_width().max(200);
        let _ = host.style().set_property("width", &format!("{width}px"));
    }
}
