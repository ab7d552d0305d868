/**
 * A page shows one account, but the cookies are the browser's: after another account signs in in another
 * tab, the old page's buttons would act on the new account. The page sends the id of the account it was
 * rendered for, and the request is refused unless that is still the signed-in one. Without the header (a
 * non-browser client, which holds its own tokens) there is nothing to compare and no check.
 * (Its own module: the route scope and the browser bundle both import it.)
 */
export const EXPECTED_ACCOUNT_HEADER = "X-Account";
