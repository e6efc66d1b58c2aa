// E-mail without worker machinery: the settings the apps check at start (and the API asks to
// offer the option), and the registration of what the database enqueues when a job ends.
export { emailEnvironmentShape, emailSettingsFrom, requireCompleteEmailSettings, type EmailSettings } from './settings.ts';
export { registerEmailNotificationKind } from './registration.ts';
