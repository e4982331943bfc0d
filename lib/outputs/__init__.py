"""outputs: what leaves the cockpit as a file a person opens. Formula-safe Excel (excel), the
monthly briefing slides (briefing), and the offline browser that draws static images
(offline_chromium.sh)."""
