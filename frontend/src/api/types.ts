/**
 * Names for the generated schema's components (aliases, not copies: the shapes live in the schema).
 * Enums are taken from the fields that use them, because drf-spectacular may rename enum components
 * when another app adds a field with the same name.
 */
import type { components } from "./generated/schema";

type Schemas = components["schemas"];

export type Me = Schemas["Me"];
export type MyMembership = Schemas["MyMembership"];
export type Organization = Schemas["Organization"];
export type Membership = Schemas["Membership"];
export type Role = Membership["role"];
export type OrganizationKind = Organization["kind"];
export type AuditEvent = Schemas["AuditEvent"];
export type ApiToken = Schemas["ApiToken"];
export type Project = Schemas["Project"];
export type Sequence = Schemas["Sequence"];
export type Shot = Schemas["Shot"];
export type ShotDetail = Schemas["ShotDetail"];
export type Storyboard = Schemas["Storyboard"];
export type Panel = Schemas["Panel"];
export type PanelComment = Schemas["PanelComment"];
export type AnimaticState = Schemas["AnimaticState"];
export type Animatic = Schemas["Animatic"];
export type ShotPlan = Schemas["ShotPlan"];
export type ShotStatus = Shot["status"];
export type Version = Schemas["Version"];
export type Verification = Schemas["Verification"];
export type TraceResult = Schemas["TraceResult"];
export type VersionBrief = Schemas["VersionBrief"];
export type Comment = Schemas["Comment"];
export type Reply = Schemas["Reply"];
export type ApprovalSummary = Schemas["ApprovalSummary"];
export type Lane = Schemas["Lane"];
export type Person = Schemas["Person"];
export type UserSummary = Schemas["UserSummary"];
export type GenerationJob = Schemas["GenerationJob"];
export type Take = Schemas["Take"];
export type LikenessScan = Schemas["LikenessScan"];
export type JobState = GenerationJob["state"];
export type ModelProfile = Schemas["ModelProfile"];
export type Talent = Schemas["Talent"];
export type ConsentGrant = Schemas["ConsentGrant"];
export type ConsentRequest = Schemas["ConsentRequest"];
export type ConsentRequestCreate = Schemas["ConsentRequestCreateRequest"];
export type LikenessUse = Schemas["LikenessUse"];
export type UseState = LikenessUse["state"];
export type LaneState = Schemas["Lane"]["state"];
/** A version's likeness uses at their worst (consent badges): the same states as a use's. */
export type LikenessState = NonNullable<Version["likeness"]>;
export type CurrentVersion = Schemas["CurrentVersion"];
export type ShareLink = Schemas["ShareLink"];
export type ShareLinkCreated = Schemas["ShareLinkCreated"];
export type ShareViewLog = Schemas["ShareViewLog"];
export type Ledger = Schemas["Ledger"];
export type ImportSummary = Schemas["ImportSummary"];
export type Playlist = Schemas["Playlist"];
export type GrantAction = Schemas["GrantActionRequest"];
export type GenerationSubmit = Schemas["GenerationSubmitRequest"];
export type AllowedAction = Schemas["AllowedAction"];
export type ModelConstraints = Schemas["ModelConstraints"];
export type ModelDefaults = Schemas["ModelDefaults"];
export type Notification = Schemas["Notification"];
export type NotificationKind = Notification["kind"];
export type NotificationPreference = Schemas["Preference"];
