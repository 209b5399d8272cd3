export { type AddUserArgs, addUserCommand } from './cli.ts';
export { type ConsoleOptions, registerConsole } from './plugin.ts';
export { ROLES, type Role } from './store.ts';
