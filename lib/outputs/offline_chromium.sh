#!/bin/sh
# Chromium for offline image export (kaleido): the Debian binary without the wrapper's Google API
# keys, background services off, and two locks so that nothing can leave the machine even if a
# service starts anyway: every http(s) request goes to a dead proxy on 127.0.0.1:9 and no host name
# resolves (except localhost). kaleido's page itself loads only file:// scripts (plotly.js from the
# plotly package, MathJax off). lib.mapview points kaleido at this file (BROWSER_PATH).
# COCKPIT_CHROMIUM_BIN overrides the binary. A --proxy-server given by the caller (choreographer's
# CHOREO_PROXY_SERVER, used by the tests to record attempts) comes later and wins.
BIN="${COCKPIT_CHROMIUM_BIN:-/usr/lib/chromium/chromium}"
[ -x "$BIN" ] || BIN=/usr/bin/chromium
[ -n "$COCKPIT_CHROMIUM_TRACE" ] && echo "$@" >> "$COCKPIT_CHROMIUM_TRACE"
exec "$BIN" \
  --proxy-server=http://127.0.0.1:9 --proxy-bypass-list='<-loopback>' \
  --host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1' \
  --disable-background-networking --disable-component-update --disable-sync --disable-default-apps \
  --disable-extensions --disable-component-extensions-with-background-pages --no-pings \
  --disable-domain-reliability --disable-client-side-phishing-detection --safebrowsing-disable-auto-update \
  --disable-search-engine-choice-screen --no-service-autorun --disable-breakpad \
  --disable-features=MediaRouter,DialMediaRouteProvider,OptimizationHints,Translate,AutofillServerCommunication,CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions,NetworkTimeServiceQuerying,ChromeSignin,AccountConsistency,MirrorAccountConsistency \
  --no-first-run --no-default-browser-check --metrics-recording-only --dns-prefetch-disable \
  "$@"
