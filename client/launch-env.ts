// The environment as the user gave it, captured before `.herald/dev.env` is loaded, so `dev up`
// can tell a component the user points at from one the local stack provides.
export const launchEnv: NodeJS.ProcessEnv = { ...process.env };
