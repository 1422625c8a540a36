//! The base generator: one compliant case with a realistic timeline.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::names::{roster_name, GIVEN, REGIONS, SURNAMES, UNITS};
use super::GenOptions;
use crate::model::*;

const H: i64 = 3600;
const D: i64 = 86_400;
const M: i64 = 60;

fn name(rng: &mut ChaCha8Rng) -> String {
    format!("{}{}", SURNAMES.choose(rng).unwrap_or(&"王"), GIVEN.choose(rng).unwrap_or(&"伟"))
}

/// An 18-character resident id with a valid check digit (GB 11643).
fn id_number(rng: &mut ChaCha8Rng, birth: Date) -> String {
    with_check_digit(&format!("{}{:08}{:03}", REGIONS.choose(rng).unwrap_or(&"330502"), birth.0, rng.gen_range(1..999)))
}

/// The 17 digits of a resident id followed by their check digit (GB 11643).
pub(super) fn with_check_digit(body: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.chars().zip(W).map(|(c, w)| c.to_digit(10).unwrap_or(0) * w).sum();
    let check = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize];
    format!("{body}{check}")
}

fn birth(rng: &mut ChaCha8Rng, at: Ts, min_age: i64, max_age: i64) -> Date {
    let today = at.local_date();
    let years = rng.gen_range(min_age..=max_age);
    let days = rng.gen_range(1..360);
    let d = today.checked_sub(jiff::Span::new().years(years).days(days)).unwrap_or(today);
    Date::from_civil(d)
}

fn ts(t: i64) -> Option<Ts> {
    Some(Ts(t))
}

struct B<'a> {
    rng: &'a mut ChaCha8Rng,
    c: Case,
    officers: Vec<String>,
    n: u32,
}

impl B<'_> {
    fn id(&mut self, prefix: &str) -> String {
        self.n += 1;
        format!("{prefix}{}", self.n)
    }

    fn person(&mut self, role: PersonRole, at: Ts, min_age: i64, max_age: i64) -> String {
        let id = self.id("P");
        let b = birth(self.rng, at, min_age, max_age);
        let p = Person {
            condition_periods: vec![],
            first_offence: None,
            prior_drink_driving_on: None,
            id: id.clone(),
            role: Some(role),
            name: Some(name(self.rng)),
            id_number: Some(id_number(self.rng, b)),
            birth_date: Some(b),
            gender: Some(if self.rng.gen_bool(0.8) { Gender::M } else { Gender::F }),
            nationality: None,
            conditions: vec![],
            legal_aid_notified_at: None,
            counsel_notice_at: None,
            is_npc_deputy: None,
            npc_level: None,
            is_public_official: None,
            diplomatic_immunity: None,
            anonymity_requested: None,
            is_unit: None,
        };
        self.c.persons.push(p);
        id
    }

    fn approval(&mut self, step: ApprovalStep, subject: Option<String>, at: i64, level: ApprovalLevel) -> String {
        let id = self.id("A");
        let approver = format!("{}-LEAD", self.c.unit_id);
        self.c.approvals.push(Approval {
            id: id.clone(),
            step: Some(step),
            subject_id: subject,
            approver_id: Some(approver),
            level: Some(level),
            approved_at: ts(at),
        });
        id
    }

    fn doc(&mut self, kind: DocumentType, person: Option<&str>, issued: i64, delivered: i64) -> String {
        let id = self.id("D");
        self.c.documents.push(Document {
            service_impossible_noted: None,
            refusal_to_sign_noted: None,
            id: id.clone(),
            kind: Some(kind),
            person_id: person.map(str::to_owned),
            issued_at: ts(issued),
            delivered_at: ts(delivered),
            signed: Some(true),
            refused: None,
            refusal_witnessed: None,
            service_method: Some(ServiceMethod::Direct),
            e_signed: None,
        });
        id
    }

    fn two_officers(&mut self) -> Vec<String> {
        let mut v: Vec<String> = self.officers.choose_multiple(self.rng, 2).cloned().collect();
        v.sort();
        v
    }

    fn questioning(&mut self, person: &str, kind: QuestioningKind, start: i64, minutes: i64, place: Place) -> String {
        let id = self.id("Q");
        let officers = self.two_officers();
        self.c.questionings.push(Questioning {
            refusal_to_sign_noted: None,
            guardian_absence_noted: None,
            id: id.clone(),
            person_id: Some(person.to_owned()),
            kind: Some(kind),
            started_at: ts(start),
            ended_at: ts(start + minutes * M),
            place: Some(place),
            officer_ids: officers,
            rights_notified: Some(true),
            record_signed: Some(true),
            guardian_present: None,
            interpreter_present: None,
            av_recorded: Some(true),
            meal_rest_noted: Some(true),
            remote: None,
            female_staff_present: None,
        });
        id
    }

    fn summons(&mut self, person: &str, arrive: i64, hours: i64) -> String {
        let id = self.id("S");
        self.c.summonses.push(Summons {
            notification_waived_reason: None,
            identity_established_at: None,
            transferred_in_at: None,
            id: id.clone(),
            person_id: Some(person.to_owned()),
            kind: Some(SummonsKind::Written),
            approved_at: ts(arrive - 2 * H),
            arrived_at: ts(arrive),
            released_at: ts(arrive + hours * H),
            extended: None,
            family_notified_at: ts(arrive + 30 * M),
            extension_ground: None,
        });
        self.approval(ApprovalStep::Summons, Some(id.clone()), arrive - 2 * H - 10 * M, ApprovalLevel::Station);
        self.doc(DocumentType::SummonsCertificate, Some(person), arrive - 2 * H, arrive - H);
        id
    }

    fn evidence(&mut self, kind: EvidenceType, at: i64) {
        let id = self.id("E");
        let collectors = self.two_officers();
        self.c.evidence.push(Evidence {
            id,
            kind: Some(kind),
            collected_at: ts(at),
            uploaded_at: ts(at + 3 * H),
            collector_ids: collectors,
            fillers_count: None,
        });
    }

    fn property(
        &mut self,
        owner: &str,
        cat: PropertyCategory,
        desc: &str,
        taken: i64,
        disposed: i64,
        disposal: Disposal,
    ) -> String {
        let id = self.id("R");
        self.approval(ApprovalStep::Seizure, Some(id.clone()), taken - 20 * M, ApprovalLevel::Station);
        self.c.properties.push(Property {
            appraisal_id: None,
            appraisal_period_notice_at: None,
            asset_class: None,
            refusal_to_sign_noted: None,
            id: id.clone(),
            description: Some(desc.to_owned()),
            category: Some(cat),
            action: Some(PropertyAction::Seized),
            taken_at: ts(taken),
            list_issued_at: ts(taken + 10 * M),
            list_signed: Some(true),
            handed_to_custody_at: ts(taken + 6 * H),
            value_cny: Some(f64::from(self.rng.gen_range(2..60u32)) * 100.0),
            extended_at: None,
            disposed_at: ts(disposed),
            disposal: Some(disposal),
            owner_person_id: Some(owner.to_owned()),
            custodian_id: Some(format!("{}-PROP", self.c.unit_id)),
            av_recorded: Some(true),
            decision_at: None,
            unrelated_found_at: None,
            owner_notified_at: None,
        });
        self.doc(DocumentType::SeizureDecision, Some(owner), taken + 5 * M, taken + 10 * M);
        self.doc(DocumentType::SeizureList, Some(owner), taken + 10 * M, taken + 10 * M);
        id
    }

    /// An administrative penalty decided at `decided`, with the notices the law requires.
    fn admin_penalty(
        &mut self,
        person: &str,
        decided: i64,
        fine: f64,
        detention: i64,
        licence: Option<(LicenceAction, i64)>,
    ) -> String {
        let id = self.id("F");
        let pre = decided - self.rng.gen_range(1..3) * D;
        self.doc(DocumentType::PenaltyPreNotice, Some(person), pre, pre + 5 * M);
        self.approval(ApprovalStep::LegalReview, Some(id.clone()), decided - 4 * H, ApprovalLevel::Legal);
        let level = if detention > 0 || fine > 500.0 { ApprovalLevel::Bureau } else { ApprovalLevel::Station };
        self.approval(ApprovalStep::Penalty, Some(id.clone()), decided - H, level);
        let delivered = decided + self.rng.gen_range(10..180) * M;
        self.doc(DocumentType::PenaltyDecision, Some(person), decided, delivered);
        let victims: Vec<String> =
            self.c.persons.iter().filter(|p| p.role == Some(PersonRole::Victim)).map(|p| p.id.clone()).collect();
        for v in victims {
            self.doc(DocumentType::PenaltyDecision, Some(&v), decided, delivered + 2 * H);
        }
        let (det_start, det_end) = if detention > 0 {
            let s = decided + 2 * H;
            self.doc(DocumentType::DetentionFamilyNotice, Some(person), s, s + 3 * H);
            (ts(s), ts(s + detention * D))
        } else {
            (None, None)
        };
        self.c.penalties.push(Penalty {
            statement_waived: None,
            id: id.clone(),
            person_id: Some(person.to_owned()),
            procedure: Some(Procedure::Ordinary),
            warning: None,
            fine_cny: (fine > 0.0).then_some(fine),
            detention_days: (detention > 0).then_some(detention),
            licence_action: licence.map(|l| l.0),
            licence_months: licence.map(|l| l.1),
            confiscation: None,
            pre_notified_at: ts(pre),
            statement_heard: Some(true),
            hearing_notified_at: None,
            hearing_requested_at: None,
            hearing_held_at: None,
            decided_at: ts(decided),
            delivered_at: ts(delivered),
            filed_with_unit_at: None,
            fine_paid_at: (fine > 0.0).then(|| Ts(delivered + self.rng.gen_range(1..10) * D)),
            fine_collected_on_spot_at: None,
            fine_remitted_at: None,
            detention_started_at: det_start,
            detention_ended_at: det_end,
            not_executed_reason: None,
            deferred: None,
            guardian_pre_notified_at: None,
            public_notice_at: None,
            fast_track_consent_at: None,
            enforcement_reminder_at: None,
            hearing_notice_at: None,
            hearing_chair_id: None,
            receipt_no: None,
            av_recorded: None,
        });
        id
    }

    /// A minor-injury appraisal commissioned at `comm`, completed at `done`, and notified to
    /// the suspect and the victim the next day.
    fn injury_appraisal(&mut self, comm: i64, done: i64) {
        self.c.appraisals.push(Appraisal {
            id: "AP1".into(),
            kind: Some(AppraisalType::Injury),
            commissioned_at: ts(comm),
            completed_at: ts(done),
            result: Some("minor_injury_2".into()),
            notified_suspect_at: ts(done + D),
            notified_victim_at: ts(done + D),
            reappraisal_requested_at: None,
        });
    }

    fn close(&mut self, kind: ClosureType, at: i64) {
        self.c.closure = Some(Closure {
            closed_at: ts(at),
            kind: Some(kind),
            approved_at: ts(at - H),
            approver_id: Some(format!("{}-LEAD", self.c.unit_id)),
            transferred_at: None,
            reporter_notified_at: None,
        });
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Fight,
    Theft,
    Fraud,
    Dispute,
    DrinkDriving,
    CrimTheft,
    CrimFraud,
    DrunkDriving,
    CrimInjury,
}

fn pick_kind(rng: &mut ChaCha8Rng) -> Kind {
    let table = [
        (25, Kind::Fight),
        (12, Kind::Theft),
        (5, Kind::Fraud),
        (10, Kind::Dispute),
        (13, Kind::DrinkDriving),
        (12, Kind::CrimTheft),
        (8, Kind::CrimFraud),
        (10, Kind::DrunkDriving),
        (5, Kind::CrimInjury),
    ];
    let total: u32 = table.iter().map(|t| t.0).sum();
    let mut x = rng.gen_range(0..total);
    for (w, k) in table {
        if x < w {
            return k;
        }
        x -= w;
    }
    Kind::Fight
}

/// One case. Closed cases start at least 60 days before `as_of` and finish before it; open
/// cases (about 1 in 10) start in the last 30 days (a public-order case's period, so some
/// of them reach its end in the days after `as_of`) and stop part-way.
pub fn case(rng: &mut ChaCha8Rng, i: u64, opts: &GenOptions, as_of: i64) -> Case {
    let kind = pick_kind(rng);
    let open = rng.gen_bool(0.1);
    let unit = match kind {
        Kind::DrinkDriving | Kind::DrunkDriving => UNITS[4],
        Kind::CrimFraud | Kind::CrimInjury if rng.gen_bool(0.5) => UNITS[5],
        _ => UNITS[rng.gen_range(0..4)],
    };
    let from = Ts::start_of_local_day(opts.from).0;
    let t0 = if open {
        as_of - rng.gen_range(2..30) * D
    } else {
        let last = as_of - 60 * D;
        from + rng.gen_range(0..(last - from).max(D) / D) * D
    } + rng.gen_range(8 * 60..20 * 60) * M;
    let (criminal, offence) = match kind {
        Kind::Fight => (false, "殴打他人"),
        Kind::Theft => (false, "盗窃"),
        Kind::Fraud => (false, "诈骗"),
        Kind::Dispute => (false, "民间纠纷"),
        Kind::DrinkDriving => (false, "饮酒驾驶"),
        Kind::CrimTheft => (true, "盗窃"),
        Kind::CrimFraud => (true, "诈骗"),
        Kind::DrunkDriving => (true, "醉酒驾驶"),
        Kind::CrimInjury => (true, "故意伤害"),
    };
    let year = Ts(t0).local_date().year();
    let prefix = if criminal { "XJ" } else { "XZ" };
    let case_id = format!("{prefix}-{year}-{}-{:06}", unit.0, i + 1);
    let mut officers: Vec<String> = (1..=unit.2).map(|k| format!("{}-O{:02}", unit.0, k)).collect();
    officers.shuffle(rng);
    let lead = officers[0].clone();
    let assist = officers[1].clone();
    let mut b = B {
        rng,
        c: Case {
            // the governing law as a case system records it, in three cases of four (the
            // checks guess it from the offence in the fourth); criminal cases have none
            domain: match kind {
                _ if criminal || i % 4 == 3 => None,
                Kind::DrinkDriving => Some(CaseDomain::Traffic),
                _ => Some(CaseDomain::PublicOrder),
            },
            format: Some("xuncha.case/1".into()),
            case_id,
            kind: if criminal { CaseKind::Criminal } else { CaseKind::Administrative },
            offence: Some(offence.into()),
            unit_id: unit.0.into(),
            unit_name: Some(unit.1.into()),
            officers: vec![
                Officer { id: lead.clone(), name: None, role: Some(OfficerRole::Lead), legal_qualified: None },
                Officer { id: assist.clone(), name: None, role: Some(OfficerRole::Assist), legal_qualified: None },
            ],
            source: Some(CaseSource::Incident),
            accepted_at: None,
            receipt_issued_at: None,
            enterprise_related: None,
            complex: None,
            updated_at: None,
            case_major: None,
            offence_started_on: None,
            offence_ended_on: None,
            incident: None,
            filing: None,
            persons: vec![],
            questionings: vec![],
            summonses: vec![],
            measures: vec![],
            searches: vec![],
            evidence: vec![],
            appraisals: vec![],
            alcohol_tests: vec![],
            properties: vec![],
            documents: vec![],
            approvals: vec![],
            penalties: vec![],
            mediation: None,
            pauses: vec![],
            extensions: vec![],
            closure: None,
            case_area_log: vec![],
        },
        officers: vec![lead.clone(), assist.clone()],
        n: 0,
    };
    for o in &mut b.c.officers {
        // the draw stays, so the rest of the case comes out as before; the name is the
        // roster's, so an officer id has one name in every case
        let _ = name(b.rng);
        o.name = roster_name(&o.id);
    }
    // the incident and acceptance
    let dispatched = t0 + b.rng.gen_range(1..4) * M;
    let arrived = dispatched + b.rng.gen_range(4..12) * M;
    b.c.incident = Some(Incident {
        id: Some("J1".into()),
        received_at: ts(t0),
        dispatched_at: ts(dispatched),
        arrived_at: ts(arrived),
        finished_at: ts(arrived + b.rng.gen_range(30..90) * M),
        kind: Some(match kind {
            Kind::DrinkDriving | Kind::DrunkDriving => IncidentType::Traffic,
            Kind::Dispute => IncidentType::Dispute,
            _ if criminal => IncidentType::Criminal,
            _ => IncidentType::PublicOrder,
        }),
        disposition: Some(Disposition::CaseAccepted),
        feedback_at: ts(arrived + 2 * H),
        bodycam: Some(Bodycam { recorded: Some(true), uploaded_at: ts(arrived + 4 * H) }),
        area_class: Some(AreaClass::Urban),
        registered_at: ts(t0 + 5 * M),
        referral_notice_at: None,
    });
    let accepted = arrived + b.rng.gen_range(60..180) * M;
    b.c.accepted_at = ts(accepted);
    b.c.receipt_issued_at = ts(accepted + 10 * M);
    b.c.offence_started_on = Some(Date(Ts(t0).local_ymd()));
    b.c.offence_ended_on = Some(Date(Ts(t0).local_ymd()));
    b.approval(ApprovalStep::Acceptance, None, accepted - 5 * M, ApprovalLevel::Station);
    if criminal {
        let filed = accepted + b.rng.gen_range(2..20) * H;
        b.c.filing =
            Some(Filing { decision: Some(FilingDecision::Filed), decided_at: ts(filed), notice_delivered_at: None });
        b.approval(ApprovalStep::Filing, None, filed - 30 * M, ApprovalLevel::Bureau);
    }
    let at = Ts(accepted);
    let suspect = b.person(PersonRole::Suspect, at, 20, 60);
    b.doc(DocumentType::AcceptanceReceipt, None, accepted, accepted + 10 * M);
    b.evidence(EvidenceType::AudioVideo, arrived + 30 * M);
    match kind {
        Kind::DrinkDriving | Kind::DrunkDriving => drive(&mut b, &suspect, kind, t0, accepted, open),
        Kind::Dispute => dispute(&mut b, &suspect, accepted, open),
        _ if criminal => criminal_case(&mut b, &suspect, kind, accepted, open),
        _ => admin_case(&mut b, &suspect, kind, accepted, open),
    }
    b.c.updated_at = Some(Ts(latest(&b.c).max(accepted)));
    b.c
}

fn latest(c: &Case) -> i64 {
    let mut m = 0;
    let mut f = |t: Option<Ts>| {
        if let Some(t) = t {
            m = m.max(t.0);
        }
    };
    for p in &c.penalties {
        f(p.delivered_at);
        f(p.detention_ended_at);
        f(p.fine_paid_at);
    }
    if let Some(cl) = &c.closure {
        f(cl.closed_at);
    }
    for p in &c.properties {
        f(p.disposed_at);
    }
    m
}

fn admin_case(b: &mut B, suspect: &str, kind: Kind, accepted: i64, open: bool) {
    let victim = b.person(PersonRole::Victim, Ts(accepted), 18, 70);
    let arrive = accepted + b.rng.gen_range(1..6) * H;
    let hours = b.rng.gen_range(2..6);
    b.summons(suspect, arrive, hours);
    let minutes = b.rng.gen_range(40..100);
    b.questioning(suspect, QuestioningKind::Inquiry, arrive + 15 * M, minutes, Place::CaseArea);
    b.c.case_area_log.push(CaseAreaEntry {
        person_id: Some(suspect.into()),
        entered_at: ts(arrive),
        left_at: ts(arrive + 7 * H / 4),
    });
    b.questioning(&victim, QuestioningKind::Inquiry, accepted + 30 * M, 50, Place::CaseArea);
    b.evidence(EvidenceType::Statement, arrive + 2 * H);
    let mut decided = accepted + b.rng.gen_range(3..20) * D + b.rng.gen_range(0..6) * H;
    if kind == Kind::Fight {
        let comm = accepted + b.rng.gen_range(4..20) * H;
        let done = comm + b.rng.gen_range(3..8) * D;
        b.injury_appraisal(comm, done);
        b.c.pauses.push(Pause { id: None, reason: Some(PauseReason::Appraisal), from: ts(comm), to: ts(done) });
        b.doc(DocumentType::AppraisalNotice, Some(suspect), done + D, done + D);
        decided = decided.max(done + 2 * D);
    }
    if kind == Kind::Theft || kind == Kind::Fraud {
        let taken = arrive + 20 * M;
        b.property(suspect, PropertyCategory::Phone, "手机一部", taken, decided + 2 * H, Disposal::Returned);
    }
    if open {
        return;
    }
    let (fine, det) = match kind {
        Kind::Fight => {
            (f64::from(b.rng.gen_range(2..5u32)) * 100.0, if b.rng.gen_bool(0.5) { b.rng.gen_range(5..10) } else { 0 })
        }
        _ => {
            (f64::from(b.rng.gen_range(2..10u32)) * 100.0, if b.rng.gen_bool(0.3) { b.rng.gen_range(5..10) } else { 0 })
        }
    };
    b.admin_penalty(suspect, decided, fine, det, None);
    b.close(ClosureType::Penalty, decided + D);
}

fn dispute(b: &mut B, suspect: &str, accepted: i64, open: bool) {
    let other = b.person(PersonRole::Victim, Ts(accepted), 20, 70);
    b.questioning(suspect, QuestioningKind::Inquiry, accepted + H, 45, Place::CaseArea);
    b.questioning(&other, QuestioningKind::Inquiry, accepted + 2 * H, 45, Place::CaseArea);
    if open {
        return;
    }
    let agreed = accepted + b.rng.gen_range(1..5) * D;
    b.c.mediation = Some(Mediation {
        agreed_at: ts(agreed),
        agreement_signed: Some(true),
        performed: Some(true),
        applicable: Some(true),
        sessions: vec![MediationSession { at: ts(agreed - 2 * H) }],
        failed_at: None,
    });
    b.doc(DocumentType::MediationAgreement, None, agreed, agreed);
    b.close(ClosureType::Mediation, agreed + D);
}

fn drive(b: &mut B, suspect: &str, kind: Kind, t0: i64, accepted: i64, open: bool) {
    let stopped = t0;
    let drunk = kind == Kind::DrunkDriving;
    let breath = if drunk { f64::from(b.rng.gen_range(85..200u32)) } else { f64::from(b.rng.gen_range(22..75u32)) };
    let drawn = drunk.then(|| stopped + b.rng.gen_range(30..90) * M);
    b.c.alcohol_tests.push(AlcoholTest {
        id: "T1".into(),
        person_id: Some(suspect.into()),
        stopped_at: ts(stopped),
        breath_mg_100ml: Some(breath),
        blood_drawn_at: drawn.map(Ts),
        blood_mg_100ml: drunk.then(|| breath - f64::from(b.rng.gen_range(0..5u32))),
        breath_signed: Some(true),
        sent_to_lab_at: drawn.map(|d| Ts(d + 2 * H)),
        family_notified_at: None,
    });
    b.questioning(suspect, QuestioningKind::Inquiry, accepted + 20 * M, 40, Place::CaseArea);
    if drunk {
        let d = drawn.unwrap_or(stopped);
        let done = d + b.rng.gen_range(1..3) * D;
        b.c.appraisals.push(Appraisal {
            id: "AP1".into(),
            kind: Some(AppraisalType::BloodAlcohol),
            commissioned_at: ts(d + 2 * H),
            completed_at: ts(done),
            result: Some("blood_alcohol_over_80".into()),
            notified_suspect_at: ts(done + D),
            notified_victim_at: None,
            reappraisal_requested_at: None,
        });
        b.doc(DocumentType::AppraisalNotice, Some(suspect), done + D, done + D);
        criminal_tail(b, suspect, accepted, open, true);
    } else {
        if open {
            return;
        }
        let decided = accepted + b.rng.gen_range(1..10) * D;
        let fine = f64::from(b.rng.gen_range(10..16u32)) * 100.0;
        b.admin_penalty(suspect, decided, fine, 0, Some((LicenceAction::Suspend, 6)));
        b.close(ClosureType::Penalty, decided + D);
    }
}

fn criminal_case(b: &mut B, suspect: &str, kind: Kind, accepted: i64, open: bool) {
    let victim = b.person(PersonRole::Victim, Ts(accepted), 18, 75);
    b.questioning(&victim, QuestioningKind::Inquiry, accepted + H, 60, Place::CaseArea);
    if matches!(kind, Kind::CrimTheft | Kind::CrimFraud) {
        let taken = accepted + 3 * H;
        let disposed = accepted + b.rng.gen_range(10..25) * D;
        b.property(suspect, PropertyCategory::Cash, "涉案现金", taken, disposed, Disposal::Transferred);
    }
    if kind == Kind::CrimInjury {
        let comm = accepted + 6 * H;
        let done = comm + b.rng.gen_range(5..12) * D;
        b.injury_appraisal(comm, done);
        b.doc(DocumentType::AppraisalNotice, Some(suspect), done + D, done + D);
    }
    criminal_tail(b, suspect, accepted, open, false);
}

/// Detention (or bail), interrogations, arrest or bail, transfer for prosecution.
fn criminal_tail(b: &mut B, suspect: &str, accepted: i64, open: bool, drunk: bool) {
    let start = accepted + b.rng.gen_range(1..4) * H;
    if drunk {
        // dangerous driving: bail pending prosecution
        let m = b.id("M");
        b.approval(ApprovalStep::Measure, Some(m.clone()), start - 30 * M, ApprovalLevel::Bureau);
        b.c.measures.push(Measure {
            obstruction_ended_at: None,
            caught_in_act: None,
            identity_established_at: None,
            transferred_in_at: None,
            id: m,
            person_id: Some(suspect.into()),
            kind: MeasureType::Bail,
            approved_at: ts(start - 30 * M),
            started_at: ts(start),
            ended_at: (!open).then(|| Ts(start + 40 * D)),
            sent_to_facility_at: None,
            family_notified_at: None,
            notification_waived_reason: None,
            arrest_requested_at: None,
            extension_days: None,
            extension_reason: None,
            bail_guarantor: Some(true),
            bail_deposit_cny: None,
            designated_place: None,
            arrest_decision_at: None,
            arrest_decision: None,
            provincial_report_at: None,
        });
        b.questioning(suspect, QuestioningKind::Interrogation, start + H, 60, Place::CaseArea);
        if !open {
            b.close(ClosureType::Prosecution, start + 35 * D);
        }
        return;
    }
    let m = b.id("M");
    b.approval(ApprovalStep::Measure, Some(m.clone()), start - 20 * M, ApprovalLevel::Bureau);
    let sent = start + b.rng.gen_range(2..8) * H;
    let requested = start + b.rng.gen_range(1..3) * D;
    let decision = requested + b.rng.gen_range(3..7) * D;
    let arrest = !open && b.rng.gen_bool(0.6);
    b.c.measures.push(Measure {
        obstruction_ended_at: None,
        caught_in_act: None,
        identity_established_at: None,
        transferred_in_at: None,
        id: m.clone(),
        person_id: Some(suspect.into()),
        kind: MeasureType::CriminalDetention,
        approved_at: ts(start - 20 * M),
        started_at: ts(start),
        ended_at: ts(if arrest { decision } else { requested + D }),
        sent_to_facility_at: ts(sent),
        family_notified_at: ts(start + b.rng.gen_range(2..12) * H),
        notification_waived_reason: None,
        arrest_requested_at: arrest.then_some(Ts(requested)),
        extension_days: None,
        extension_reason: None,
        bail_guarantor: None,
        bail_deposit_cny: None,
        designated_place: None,
        arrest_decision_at: arrest.then_some(Ts(decision)),
        arrest_decision: arrest.then_some(ArrestDecision::Approved),
        provincial_report_at: None,
    });
    b.doc(DocumentType::DetentionFamilyNotice, Some(suspect), start + H, start + 2 * H);
    b.questioning(suspect, QuestioningKind::Interrogation, start + 30 * M, 60, Place::CaseArea);
    b.questioning(suspect, QuestioningKind::Interrogation, sent + 20 * H, 60, Place::DetentionCenter);
    if arrest {
        let a = b.id("M");
        b.approval(ApprovalStep::Measure, Some(a.clone()), decision, ApprovalLevel::Superior);
        b.c.measures.push(Measure {
            obstruction_ended_at: None,
            caught_in_act: None,
            identity_established_at: None,
            transferred_in_at: None,
            id: a,
            person_id: Some(suspect.into()),
            kind: MeasureType::Arrest,
            approved_at: ts(decision),
            started_at: ts(decision),
            ended_at: ts(decision + 30 * D),
            sent_to_facility_at: ts(decision + H),
            family_notified_at: ts(decision + 6 * H),
            notification_waived_reason: None,
            arrest_requested_at: None,
            extension_days: None,
            extension_reason: None,
            bail_guarantor: None,
            bail_deposit_cny: None,
            designated_place: None,
            arrest_decision_at: None,
            arrest_decision: None,
            provincial_report_at: None,
        });
        b.doc(DocumentType::ArrestFamilyNotice, Some(suspect), decision + 2 * H, decision + 6 * H);
        b.questioning(suspect, QuestioningKind::Interrogation, decision + 10 * H, 60, Place::DetentionCenter);
        b.close(ClosureType::Prosecution, decision + 30 * D);
    } else if !open {
        // released on bail after detention
        let bail_start = requested + D;
        let m2 = b.id("M");
        b.approval(ApprovalStep::Measure, Some(m2.clone()), bail_start - H, ApprovalLevel::Bureau);
        b.c.measures.push(Measure {
            obstruction_ended_at: None,
            caught_in_act: None,
            identity_established_at: None,
            transferred_in_at: None,
            id: m2,
            person_id: Some(suspect.into()),
            kind: MeasureType::Bail,
            approved_at: ts(bail_start - H),
            started_at: ts(bail_start),
            ended_at: ts(bail_start + 40 * D),
            sent_to_facility_at: None,
            family_notified_at: None,
            notification_waived_reason: None,
            arrest_requested_at: None,
            extension_days: None,
            extension_reason: None,
            bail_guarantor: None,
            bail_deposit_cny: Some(3000.0),
            designated_place: None,
            arrest_decision_at: None,
            arrest_decision: None,
            provincial_report_at: None,
        });
        b.close(ClosureType::Prosecution, bail_start + 40 * D);
    }
}
