//! The typed model of `xuncha.case/1` (shared/case-format.md).
//!
//! Every optional field is an `Option`. A check's case leaves absent fields out of its maps
//! (`model::leaving_out_absent`), so a script reading one gets `()`; a misspelt field name is an
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
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub role: Option<OfficerRole>,
    /// holds the legal-review qualification (法制审核)
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub legal_qualified: Option<bool>,
}

/// One case record.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Case {
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub format: Option<String>,
    pub case_id: String,
    pub kind: CaseKind,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub offence: Option<String>,
    /// which law governs an administrative case, as the case system records it; when absent,
    /// checks guess from `offence`, the alcohol tests and the incident type
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub domain: Option<CaseDomain>,
    pub unit_id: String,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub unit_name: Option<String>,
    #[serde(default)]
    pub officers: Vec<Officer>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub source: Option<CaseSource>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub accepted_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub receipt_issued_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub enterprise_related: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub complex: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub updated_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub case_major: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub offence_started_on: Option<Date>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub offence_ended_on: Option<Date>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub incident: Option<Incident>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
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
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub mediation: Option<Mediation>,
    #[serde(default)]
    pub pauses: Vec<Pause>,
    #[serde(default)]
    pub extensions: Vec<Extension>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
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
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub recorded: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub uploaded_at: Option<Ts>,
}

/// 警情.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Incident {
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub received_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub dispatched_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub arrived_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub finished_at: Option<Ts>,
    #[serde(rename = "type")]
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub kind: Option<IncidentType>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub disposition: Option<Disposition>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub feedback_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub bodycam: Option<Bodycam>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub area_class: Option<AreaClass>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub registered_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
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
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub decision: Option<FilingDecision>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub decided_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
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
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub from: Option<Date>,
    /// last day it holds (inclusive); absent: still holds
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub until: Option<Date>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Person {
    pub id: String,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub role: Option<PersonRole>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub name: Option<String>,
    /// 18-character resident ID; personal data, masked in every report
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub id_number: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub birth_date: Option<Date>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub gender: Option<Gender>,
    /// ISO 3166 alpha-3; absent means CHN
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub nationality: Option<String>,
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// conditions with the dates they hold (pregnancy, nursing an infant under one); a check
    /// asks whether one held on the day of the act
    #[serde(default)]
    pub condition_periods: Vec<ConditionPeriod>,
    /// 初次违反治安管理 (first offence), as the case establishes it
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub first_offence: Option<bool>,
    /// the day of an earlier penalty for drink driving (饮酒后驾驶机动车被处罚), if any
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub prior_drink_driving_on: Option<Date>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub legal_aid_notified_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub counsel_notice_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub is_npc_deputy: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub npc_level: Option<NpcLevel>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub is_public_official: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub diplomatic_immunity: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub anonymity_requested: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
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
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub person_id: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub kind: Option<QuestioningKind>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub started_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub ended_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub place: Option<Place>,
    #[serde(default)]
    pub officer_ids: Vec<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub rights_notified: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub record_signed: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub guardian_present: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub interpreter_present: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub av_recorded: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub meal_rest_noted: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub remote: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub female_staff_present: Option<bool>,
    /// the person refused to sign and the refusal is noted in the record (拒绝签名的，在笔录上注明)
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub refusal_to_sign_noted: Option<bool>,
    /// a minor's guardian could not be notified or could not attend, and the record says so
    /// (无法通知或者不能到场的，在笔录中注明)
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
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
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub person_id: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub kind: Option<SummonsKind>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub approved_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub arrived_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub released_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub extended: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub family_notified_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub extension_ground: Option<ExtensionGround>,
    /// why the family was not notified (行政案件程序规定 第五十五条第一款第五项, 第六十七条)
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub notification_waived_reason: Option<WaivedReason>,
    /// the person's identity was unknown until this instant (身份不明)
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub identity_established_at: Option<Ts>,
    /// the person was brought in by another unit (异地抓获、移交) at this instant
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
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
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub person_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: MeasureType,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub approved_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub started_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub ended_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub sent_to_facility_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub family_notified_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub notification_waived_reason: Option<WaivedReason>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub arrest_requested_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub extension_days: Option<i64>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub extension_reason: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub bail_guarantor: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub bail_deposit_cny: Option<f64>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub designated_place: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub arrest_decision_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub arrest_decision: Option<ArrestDecision>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub provincial_report_at: Option<Ts>,
    /// the ground for not notifying the family ended (有碍侦查或无法通知的情形消失) at this
    /// instant; the family must then be told at once (刑事诉讼法 第八十五条第二款)
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub obstruction_ended_at: Option<Ts>,
    /// the person was caught in the act or right after it (现行犯, 刑事诉讼法 第八十二条)
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub caught_in_act: Option<bool>,
    /// the person's identity was unknown until this instant (身份不明)
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub identity_established_at: Option<Ts>,
    /// the person was brought in by another unit (异地抓获、移交) at this instant
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
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
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub kind: Option<SearchKind>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub place: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub person_id: Option<String>,
    #[serde(default)]
    pub officer_ids: Vec<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub warrant_shown: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub witness_present: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub record_signed: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub av_recorded: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub searcher_gender: Option<Gender>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub witness_is_staff: Option<bool>,
    /// searched without a warrant during a detention or arrest because of this emergency
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub emergency_ground: Option<EmergencyGround>,
    /// the record notes the objective reason no qualified witness could be found
    /// (刑事案件程序规定 第一百九十四条第三款)
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub witness_absence_noted: Option<bool>,
    /// the searcher of a woman's body is a physician (医师, 刑事诉讼法 第一百三十二条第三款)
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub searcher_is_physician: Option<bool>,
    /// the person refused to sign and the refusal is noted in the record
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
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
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub kind: Option<EvidenceType>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub collected_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub uploaded_at: Option<Ts>,
    #[serde(default)]
    pub collector_ids: Vec<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
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
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub kind: Option<AppraisalType>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub commissioned_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub completed_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub result: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub notified_suspect_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub notified_victim_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub reappraisal_requested_at: Option<Ts>,
}

/// 酒精检测.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct AlcoholTest {
    pub id: String,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub person_id: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub stopped_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub breath_mg_100ml: Option<f64>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub blood_drawn_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub blood_mg_100ml: Option<f64>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub breath_signed: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub sent_to_lab_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
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
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub category: Option<PropertyCategory>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub action: Option<PropertyAction>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub taken_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub list_issued_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub list_signed: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub handed_to_custody_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub value_cny: Option<f64>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub extended_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub disposed_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub disposal: Option<Disposal>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub owner_person_id: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub custodian_id: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub av_recorded: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub decision_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub unrelated_found_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub owner_notified_at: Option<Ts>,
    /// the appraisal (`appraisals[].id`) of this property; its time does not count in the
    /// seizure period when the owner was told of it in writing (行政强制法 第二十五条第三款)
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub appraisal_id: Option<String>,
    /// the written notice to the owner of the appraisal period
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub appraisal_period_notice_at: Option<Ts>,
    /// what was frozen: deposits, remittances and settlement funds (6 months, 第二百四十三条),
    /// securities (2 years, 第二百四十四条) or equity and policy rights (6 months, 第二百四十五条)
    /// (刑事案件程序规定)
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub asset_class: Option<AssetClass>,
    /// the owner refused to sign the list and the refusal is noted on it
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
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
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub kind: Option<DocumentType>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub person_id: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub issued_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub delivered_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub signed: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub refused: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub refusal_witnessed: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub service_method: Option<ServiceMethod>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub e_signed: Option<bool>,
    /// the document could not be served and the file says why (无法送达 noted)
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub service_impossible_noted: Option<bool>,
    /// the person refused to sign and the refusal is noted on the document
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
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
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub step: Option<ApprovalStep>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub subject_id: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub approver_id: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub level: Option<ApprovalLevel>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
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
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub requested_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub guarantor: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub deposit_cny: Option<f64>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub granted_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub deposit_banked_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub deposit_refunded_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub refused_at: Option<Ts>,
}

/// 处罚决定, one per punished person.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Penalty {
    pub id: String,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub person_id: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub procedure: Option<Procedure>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub warning: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub fine_cny: Option<f64>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub detention_days: Option<i64>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub licence_action: Option<LicenceAction>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub licence_months: Option<i64>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub confiscation: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub pre_notified_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub statement_heard: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub hearing_notified_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub hearing_requested_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub hearing_held_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub decided_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub delivered_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub filed_with_unit_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub fine_paid_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub fine_collected_on_spot_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub fine_remitted_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub detention_started_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub detention_ended_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub not_executed_reason: Option<NotExecutedReason>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub deferred: Option<Deferred>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub guardian_pre_notified_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub public_notice_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub fast_track_consent_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub enforcement_reminder_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub hearing_notice_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub hearing_chair_id: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub receipt_no: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub av_recorded: Option<bool>,
    /// the person said, on the record, that they do not wish to state or defend (放弃陈述、申辩)
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub statement_waived: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct MediationSession {
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub at: Option<Ts>,
}

/// 调解.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Mediation {
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub agreed_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub agreement_signed: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub performed: Option<bool>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub applicable: Option<bool>,
    #[serde(default)]
    pub sessions: Vec<MediationSession>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
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
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub reason: Option<PauseReason>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub from: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub to: Option<Ts>,
}

/// 办案期限延长.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Extension {
    /// optional id (extension of the format); findings name `extensions[i]` when absent
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub days: Option<i64>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub approved_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
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
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub closed_at: Option<Ts>,
    #[serde(rename = "type")]
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub kind: Option<ClosureType>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub approved_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub approver_id: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub transferred_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub reporter_notified_at: Option<Ts>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CaseAreaEntry {
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub person_id: Option<String>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub entered_at: Option<Ts>,
    #[serde(skip_serializing_if = "super::time::absent_left_out")]
    pub left_at: Option<Ts>,
}
