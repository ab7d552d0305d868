// The app's parts for route handlers and pages come from the composition root (lib/app/service.ts). These
// names stay so code written against them keeps compiling; new code imports lib/app/service directly.
export { authApp as authContext, type AuthApp as AuthContext } from "../app/service";
