/**
 * The AWS SDK for JavaScript v3 prints an 8-line NodeVersionSupportWarning on Node < 22 the first time a
 * client is built (SDK releases after early January 2027 require Node 22). It is a notice about future
 * SDK releases, not about this run, and it lands in the middle of command output. The SDK's documented
 * switch, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true, turns off exactly that warning (every
 * other process warning still prints); a value the user set is kept. docs/contributing.md says which
 * Node version to move to.
 */
export function quietAwsSdkNodeVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
