//! The typed model of `xuncha.case/1` (shared/case-format.md).
//!
//! Every optional field is an `Option`. A check's case leaves absent fields out of its maps
//! (`engine::api::prune`), so a script reading one gets `()`; a misspelt field name is an
//! error when the script is compiled (`engine::lint`).
//! Unknown fields are ignored here; the raw record is stored as imported. The JSON Schema in
//! `schema/case.schema.json` is generated from these types (`xuncha schema`), and a test
//! keeps the two in agreement.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::time::{Date, Ts};

/// 行政案件 / 刑事案件.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    Administrative,
    Criminal,
}

impl CaseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::Administrative => "administrative",
            CaseKind::Criminal => "criminal",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfficerRole {
    Lead,
    Assist,
}

/// Which law governs an administrative case (the format's optional `domain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseDomain {
    /// 治安管理处罚法 (public order)
    PublicOrder,
    /// 道路交通安全法 (road traffic)
    Traffic,
    /// 出境入境管理法 and the border checks (出入境边防检查机关)
    ExitEntry,
    /// any other administrative law the police enforce (消防, 禁毒, 网络安全, ...)
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseSource {
    Incident,
    WalkIn,
    TransferIn,
    Discovered,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Officer {
    pub id: String,
    pub name: Option<String>,
    pub role: Option<OfficerRole>,
    /// holds the legal-review qualification (法制审核)
    pub legal_qualified: Option<bool>,
}

/// One case record.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Case {
    pub format: Option<String>,
    pub case_id: String,
    pub kind: CaseKind,
    pub offence: Option<String>,
    /// which law governs an administrative case, as the case system records it; when absent,
    /// checks guess from `offence`, the alcohol tests and the incident type
    pub domain: Option<CaseDomain>,
    pub unit_id: String,
    pub unit_name: Option<String>,
    #[serde(default)]
    pub officers: Vec<Officer>,
    pub source: Option<CaseSource>,
    pub accepted_at: Option<Ts>,
    pub receipt_issued_at: Option<Ts>,
    pub enterprise_related: Option<bool>,
    pub complex: Option<bool>,
    pub updated_at: Option<Ts>,
    pub case_major: Option<bool>,
    pub offence_started_on: Option<Date>,
    pub offence_ended_on: Option<Date>,
    pub incident: Option<Incident>,
    pub filing: Option<Filing>,
    #[serde(default)]
    pub persons: Vec<Person>,
    #[serde(default)]
    pub questionings: Vec<Questioning>,
    #[serde(default)]
    pub summonses: Vec<Summons>,
    #[serde(default)]
    pub measures: Vec<Measure>,
    #[serde(default)]
    pub searches: Vec<Search>,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    #[serde(default)]
    pub appraisals: Vec<Appraisal>,
    #[serde(default)]
    pub alcohol_tests: Vec<AlcoholTest>,
    #[serde(default)]
    pub properties: Vec<Property>,
    #[serde(default)]
    pub documents: Vec<Document>,
    #[serde(default)]
    pub approvals: Vec<Approval>,
    #[serde(default)]
    pub penalties: Vec<Penalty>,
    pub mediation: Option<Mediation>,
    #[serde(default)]
    pub pauses: Vec<Pause>,
    #[serde(default)]
    pub extensions: Vec<Extension>,
    pub closure: Option<Closure>,
    #[serde(default)]
    pub case_area_log: Vec<CaseAreaEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncidentType {
    Dispute,
    PublicOrder,
    Criminal,
    Traffic,
    Assistance,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    CaseAccepted,
    Mediated,
    Referred,
    NoOffence,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AreaClass {
    Urban,
    Suburban,
    Rural,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Bodycam {
    pub recorded: Option<bool>,
    pub uploaded_at: Option<Ts>,
}

/// 警情.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Incident {
    pub id: Option<String>,
    pub received_at: Option<Ts>,
    pub dispatched_at: Option<Ts>,
    pub arrived_at: Option<Ts>,
    pub finished_at: Option<Ts>,
    #[serde(rename = "type")]
    pub kind: Option<IncidentType>,
    pub disposition: Option<Disposition>,
    pub feedback_at: Option<Ts>,
    pub bodycam: Option<Bodycam>,
    pub area_class: Option<AreaClass>,
    pub registered_at: Option<Ts>,
    pub referral_notice_at: Option<Ts>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FilingDecision {
    Filed,
    NotFiled,
    Pending,
}

/// 立案.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Filing {
    pub decision: Option<FilingDecision>,
    pub decided_at: Option<Ts>,
    pub notice_delivered_at: Option<Ts>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PersonRole {
    Suspect,
    Victim,
    Witness,
    Reporter,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    M,
    F,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    Pregnant,
    NursingInfant,
    DeafMute,
    Blind,
    MentalDisorder,
    NeedsInterpreter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NpcLevel {
    National,
    Provincial,
    City,
    County,
    Township,
}

/// A condition that holds for a time (怀孕, 哺乳期), as recorded with its dates.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ConditionPeriod {
    pub condition: Condition,
    /// first day the condition is recorded to hold (inclusive)
    pub from: Option<Date>,
    /// last day it holds (inclusive); absent: still holds
    pub until: Option<Date>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Person {
    pub id: String,
    pub role: Option<PersonRole>,
    pub name: Option<String>,
    /// 18-character resident ID; personal data, masked in every report
    pub id_number: Option<String>,
    pub birth_date: Option<Date>,
    pub gender: Option<Gender>,
    /// ISO 3166 alpha-3; absent means CHN
    pub nationality: Option<String>,
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// conditions with the dates they hold (pregnancy, nursing an infant under one); a check
    /// asks whether one held on the day of the act
    #[serde(default)]
    pub condition_periods: Vec<ConditionPeriod>,
    /// 初次违反治安管理 (first offence), as the case establishes it
    pub first_offence: Option<bool>,
    /// the day of an earlier penalty for drink driving (饮酒后驾驶机动车被处罚), if any
    pub prior_drink_driving_on: Option<Date>,
    pub legal_aid_notified_at: Option<Ts>,
    pub counsel_notice_at: Option<Ts>,
    pub is_npc_deputy: Option<bool>,
    pub npc_level: Option<NpcLevel>,
    pub is_public_official: Option<bool>,
    pub diplomatic_immunity: Option<bool>,
    pub anonymity_requested: Option<bool>,
    pub is_unit: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestioningKind {
    Inquiry,
    Interrogation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    CaseArea,
    Scene,
    Residence,
    Workplace,
    DetentionCenter,
    Other,
}

/// 询问 / 讯问.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Questioning {
    pub id: String,
    pub person_id: Option<String>,
    pub kind: Option<QuestioningKind>,
    pub started_at: Option<Ts>,
    pub ended_at: Option<Ts>,
    pub place: Option<Place>,
    #[serde(default)]
    pub officer_ids: Vec<String>,
    pub rights_notified: Option<bool>,
    pub record_signed: Option<bool>,
    pub guardian_present: Option<bool>,
    pub interpreter_present: Option<bool>,
    pub av_recorded: Option<bool>,
    pub meal_rest_noted: Option<bool>,
    pub remote: Option<bool>,
    pub female_staff_present: Option<bool>,
    /// the person refused to sign and the refusal is noted in the record (拒绝签名的，在笔录上注明)
    pub refusal_to_sign_noted: Option<bool>,
    /// a minor's guardian could not be notified or could not attend, and the record says so
    /// (无法通知或者不能到场的，在笔录中注明)
    pub guardian_absence_noted: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SummonsKind {
    Verbal,
    Written,
    Compulsory,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionGround {
    ComplexDetentionPossible,
    ManyPersons,
    IdentityUnknown,
}

/// 传唤 / 拘传.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Summons {
    pub id: String,
    pub person_id: Option<String>,
    pub kind: Option<SummonsKind>,
    pub approved_at: Option<Ts>,
    pub arrived_at: Option<Ts>,
    pub released_at: Option<Ts>,
    pub extended: Option<bool>,
    pub family_notified_at: Option<Ts>,
    pub extension_ground: Option<ExtensionGround>,
    /// why the family was not notified (行政案件程序规定 第五十五条第一款第五项, 第六十七条)
    pub notification_waived_reason: Option<WaivedReason>,
    /// the person's identity was unknown until this instant (身份不明)
    pub identity_established_at: Option<Ts>,
    /// the person was brought in by another unit (异地抓获、移交) at this instant
    pub transferred_in_at: Option<Ts>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureType {
    CriminalDetention,
    Arrest,
    Bail,
    ResidentialSurveillance,
    AdministrativeDetention,
    Restraint,
    ContinuedQuestioning,
    DetentionForExamination,
    MovementRestriction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WaivedReason {
    /// the family cannot be reached (提供的家属联系方式无法取得联系; 无法通知 without a finer reason)
    Unreachable,
    /// 涉嫌危害国家安全犯罪，通知可能有碍侦查 (criminal detention only)
    StateSecurity,
    /// 涉嫌恐怖活动犯罪，通知可能有碍侦查 (criminal detention only)
    Terrorism,
    /// 不讲真实姓名、住址，身份不明
    IdentityUnknown,
    /// 没有家属 (and, for continued questioning, no unit)
    NoFamily,
    /// 拒不提供家属联系方式
    ContactRefused,
    /// 因自然灾害等不可抗力导致无法通知
    ForceMajeure,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArrestDecision {
    Approved,
    Refused,
}

/// 强制措施.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Measure {
    pub id: String,
    pub person_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: MeasureType,
    pub approved_at: Option<Ts>,
    pub started_at: Option<Ts>,
    pub ended_at: Option<Ts>,
    pub sent_to_facility_at: Option<Ts>,
    pub family_notified_at: Option<Ts>,
    pub notification_waived_reason: Option<WaivedReason>,
    pub arrest_requested_at: Option<Ts>,
    pub extension_days: Option<i64>,
    pub extension_reason: Option<String>,
    pub bail_guarantor: Option<bool>,
    pub bail_deposit_cny: Option<f64>,
    pub designated_place: Option<bool>,
    pub arrest_decision_at: Option<Ts>,
    pub arrest_decision: Option<ArrestDecision>,
    pub provincial_report_at: Option<Ts>,
    /// the ground for not notifying the family ended (有碍侦查或无法通知的情形消失) at this
    /// instant; the family must then be told at once (刑事诉讼法 第八十五条第二款)
    pub obstruction_ended_at: Option<Ts>,
    /// the person was caught in the act or right after it (现行犯, 刑事诉讼法 第八十二条)
    pub caught_in_act: Option<bool>,
    /// the person's identity was unknown until this instant (身份不明)
    pub identity_established_at: Option<Ts>,
    /// the person was brought in by another unit (异地抓获、移交) at this instant
    pub transferred_in_at: Option<Ts>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    Inspection,
    Search,
}

/// The emergency that lets a search be made without a warrant while a detention or arrest is
/// executed (刑事诉讼法 第一百三十八条第二款；刑事案件程序规定 第二百二十四条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmergencyGround {
    /// 可能随身携带凶器
    Weapon,
    /// 可能隐藏爆炸、剧毒等危险物品
    DangerousGoods,
    /// 可能隐匿、毁弃、转移犯罪证据
    EvidenceAtRisk,
    /// 可能隐匿其他犯罪嫌疑人
    HidingSuspect,
    /// 其他突然发生的紧急情况
    Other,
}

/// 检查 / 搜查.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Search {
    pub id: String,
    pub kind: Option<SearchKind>,
    pub at: Option<Ts>,
    pub place: Option<String>,
    pub person_id: Option<String>,
    #[serde(default)]
    pub officer_ids: Vec<String>,
    pub warrant_shown: Option<bool>,
    pub witness_present: Option<bool>,
    pub record_signed: Option<bool>,
    pub av_recorded: Option<bool>,
    pub searcher_gender: Option<Gender>,
    pub witness_is_staff: Option<bool>,
    /// searched without a warrant during a detention or arrest because of this emergency
    pub emergency_ground: Option<EmergencyGround>,
    /// the record notes the objective reason no qualified witness could be found
    /// (刑事案件程序规定 第一百九十四条第三款)
    pub witness_absence_noted: Option<bool>,
    /// the searcher of a woman's body is a physician (医师, 刑事诉讼法 第一百三十二条第三款)
    pub searcher_is_physician: Option<bool>,
    /// the person refused to sign and the refusal is noted in the record
    pub refusal_to_sign_noted: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceType {
    Physical,
    Documentary,
    AudioVideo,
    Electronic,
    Statement,
    SceneRecord,
    Identification,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: Option<EvidenceType>,
    pub collected_at: Option<Ts>,
    pub uploaded_at: Option<Ts>,
    #[serde(default)]
    pub collector_ids: Vec<String>,
    pub fillers_count: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppraisalType {
    Injury,
    Drug,
    BloodAlcohol,
    Value,
    Psychiatric,
    Other,
}

/// 鉴定.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Appraisal {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: Option<AppraisalType>,
    pub commissioned_at: Option<Ts>,
    pub completed_at: Option<Ts>,
    pub result: Option<String>,
    pub notified_suspect_at: Option<Ts>,
    pub notified_victim_at: Option<Ts>,
    pub reappraisal_requested_at: Option<Ts>,
}

/// 酒精检测.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct AlcoholTest {
    pub id: String,
    pub person_id: Option<String>,
    pub stopped_at: Option<Ts>,
    pub breath_mg_100ml: Option<f64>,
    pub blood_drawn_at: Option<Ts>,
    pub blood_mg_100ml: Option<f64>,
    pub breath_signed: Option<bool>,
    pub sent_to_lab_at: Option<Ts>,
    pub family_notified_at: Option<Ts>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PropertyCategory {
    Cash,
    Vehicle,
    Phone,
    Drug,
    Weapon,
    Document,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PropertyAction {
    Seized,
    Sealed,
    Frozen,
    Retained,
    Collected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Disposal {
    Returned,
    Confiscated,
    Destroyed,
    Transferred,
}

/// 涉案财物.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Property {
    pub id: String,
    pub description: Option<String>,
    pub category: Option<PropertyCategory>,
    pub action: Option<PropertyAction>,
    pub taken_at: Option<Ts>,
    pub list_issued_at: Option<Ts>,
    pub list_signed: Option<bool>,
    pub handed_to_custody_at: Option<Ts>,
    pub value_cny: Option<f64>,
    pub extended_at: Option<Ts>,
    pub disposed_at: Option<Ts>,
    pub disposal: Option<Disposal>,
    pub owner_person_id: Option<String>,
    pub custodian_id: Option<String>,
    pub av_recorded: Option<bool>,
    pub decision_at: Option<Ts>,
    pub unrelated_found_at: Option<Ts>,
    pub owner_notified_at: Option<Ts>,
    /// the appraisal (`appraisals[].id`) of this property; its time does not count in the
    /// seizure period when the owner was told of it in writing (行政强制法 第二十五条第三款)
    pub appraisal_id: Option<String>,
    /// the written notice to the owner of the appraisal period
    pub appraisal_period_notice_at: Option<Ts>,
    /// what was frozen: deposits, remittances and settlement funds (6 months, 第二百四十三条),
    /// securities (2 years, 第二百四十四条) or equity and policy rights (6 months, 第二百四十五条)
    /// (刑事案件程序规定)
    pub asset_class: Option<AssetClass>,
    /// the owner refused to sign the list and the refusal is noted on it
    pub refusal_to_sign_noted: Option<bool>,
}

/// What a freeze holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssetClass {
    /// 存款、汇款、证券交易结算资金、期货保证金等
    Deposit,
    /// 债券、股票、基金份额等证券
    Securities,
    /// 股权、保单权益或者投资权益
    Equity,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    AcceptanceReceipt,
    RightsNotice,
    PenaltyPreNotice,
    HearingNotice,
    PenaltyDecision,
    DetentionFamilyNotice,
    ArrestFamilyNotice,
    NotFiledNotice,
    SeizureDecision,
    SeizureList,
    SummonsCertificate,
    SearchWarrant,
    AppraisalNotice,
    MediationAgreement,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServiceMethod {
    Direct,
    Proxy,
    Post,
    Electronic,
    PublicNotice,
}

/// 法律文书.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Document {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: Option<DocumentType>,
    pub person_id: Option<String>,
    pub issued_at: Option<Ts>,
    pub delivered_at: Option<Ts>,
    pub signed: Option<bool>,
    pub refused: Option<bool>,
    pub refusal_witnessed: Option<bool>,
    pub service_method: Option<ServiceMethod>,
    pub e_signed: Option<bool>,
    /// the document could not be served and the file says why (无法送达 noted)
    pub service_impossible_noted: Option<bool>,
    /// the person refused to sign and the refusal is noted on the document
    pub refusal_to_sign_noted: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStep {
    Acceptance,
    Filing,
    Summons,
    Measure,
    Seizure,
    Penalty,
    Closure,
    Extension,
    LegalReview,
    CollectiveDeliberation,
    EnterpriseReview,
    /// permission of a people's congress before a measure on a deputy (optional value)
    NpcPermission,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalLevel {
    Squad,
    Station,
    Legal,
    Bureau,
    Superior,
    Committee,
}

/// 审批.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Approval {
    pub id: String,
    pub step: Option<ApprovalStep>,
    pub subject_id: Option<String>,
    pub approver_id: Option<String>,
    pub level: Option<ApprovalLevel>,
    pub approved_at: Option<Ts>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Procedure {
    Summary,
    FastTrack,
    Ordinary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LicenceAction {
    Suspend,
    Revoke,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotExecutedReason {
    MinorFirstOffence,
    #[serde(rename = "age_70_plus")]
    Age70Plus,
    PregnantOrNursing,
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Deferred {
    pub requested_at: Option<Ts>,
    pub guarantor: Option<bool>,
    pub deposit_cny: Option<f64>,
    pub granted_at: Option<Ts>,
    pub deposit_banked_at: Option<Ts>,
    pub deposit_refunded_at: Option<Ts>,
    pub refused_at: Option<Ts>,
}

/// 处罚决定, one per punished person.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Penalty {
    pub id: String,
    pub person_id: Option<String>,
    pub procedure: Option<Procedure>,
    pub warning: Option<bool>,
    pub fine_cny: Option<f64>,
    pub detention_days: Option<i64>,
    pub licence_action: Option<LicenceAction>,
    pub licence_months: Option<i64>,
    pub confiscation: Option<bool>,
    pub pre_notified_at: Option<Ts>,
    pub statement_heard: Option<bool>,
    pub hearing_notified_at: Option<Ts>,
    pub hearing_requested_at: Option<Ts>,
    pub hearing_held_at: Option<Ts>,
    pub decided_at: Option<Ts>,
    pub delivered_at: Option<Ts>,
    pub filed_with_unit_at: Option<Ts>,
    pub fine_paid_at: Option<Ts>,
    pub fine_collected_on_spot_at: Option<Ts>,
    pub fine_remitted_at: Option<Ts>,
    pub detention_started_at: Option<Ts>,
    pub detention_ended_at: Option<Ts>,
    pub not_executed_reason: Option<NotExecutedReason>,
    pub deferred: Option<Deferred>,
    pub guardian_pre_notified_at: Option<Ts>,
    pub public_notice_at: Option<Ts>,
    pub fast_track_consent_at: Option<Ts>,
    pub enforcement_reminder_at: Option<Ts>,
    pub hearing_notice_at: Option<Ts>,
    pub hearing_chair_id: Option<String>,
    pub receipt_no: Option<String>,
    pub av_recorded: Option<bool>,
    /// the person said, on the record, that they do not wish to state or defend (放弃陈述、申辩)
    pub statement_waived: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct MediationSession {
    pub at: Option<Ts>,
}

/// 调解.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Mediation {
    pub agreed_at: Option<Ts>,
    pub agreement_signed: Option<bool>,
    pub performed: Option<bool>,
    pub applicable: Option<bool>,
    #[serde(default)]
    pub sessions: Vec<MediationSession>,
    pub failed_at: Option<Ts>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PauseReason {
    Appraisal,
    Hearing,
    Other,
}

/// 不计入办案期限.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Pause {
    /// optional id (extension of the format); findings name `pauses[i]` when absent
    pub id: Option<String>,
    pub reason: Option<PauseReason>,
    pub from: Option<Ts>,
    pub to: Option<Ts>,
}

/// 办案期限延长.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Extension {
    /// optional id (extension of the format); findings name `extensions[i]` when absent
    pub id: Option<String>,
    pub kind: Option<String>,
    pub days: Option<i64>,
    pub approved_at: Option<Ts>,
    pub approver_level: Option<ApprovalLevel>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClosureType {
    Penalty,
    NoPenalty,
    Mediation,
    Prosecution,
    Withdrawn,
    TransferredOut,
    Merged,
}

/// 结案.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Closure {
    pub closed_at: Option<Ts>,
    #[serde(rename = "type")]
    pub kind: Option<ClosureType>,
    pub approved_at: Option<Ts>,
    pub approver_id: Option<String>,
    pub transferred_at: Option<Ts>,
    pub reporter_notified_at: Option<Ts>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CaseAreaEntry {
    pub person_id: Option<String>,
    pub entered_at: Option<Ts>,
    pub left_at: Option<Ts>,
}
