/** The agency portal, one file per route: talent roster and detail, consent grants, likeness uses. */
export { ConsentsPage } from "./ConsentsPage";
export { RequestsPage } from "./RequestsPage";
export { TalentPage } from "./TalentPage";
export { UsesPage } from "./UsesPage";
