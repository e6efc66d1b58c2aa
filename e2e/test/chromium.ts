import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (scripts/ensure-chromium.mjs installs it), headless, with nothing that calls out. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
