//! Patients: the input a person or a script sends, and its validation into trusted fields.

use super::filled as blank_to_none;
use super::history::HistoryCode;
use crate::field_errors::{add_field_error, from_validator, FieldErrors};
use crate::ids::UserId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use validator::Validate;

/// The side of the body affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BodySide {
    /// Left.
    Left,
    /// Right.
    Right,
    /// Both sides.
    Bilateral,
}

impl BodySide {
    /// Every value, as forms list them.
    pub const ALL: [BodySide; 3] = [Self::Left, Self::Right, Self::Bilateral];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Left => "left",
            Self::Right => "right",
            Self::Bilateral => "bilateral",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Recorded sex, as the patient states it (optional).
pub const SEX_CODES: [(&str, &str); 4] =
    [("female", "Female"), ("male", "Male"), ("other", "Other"), ("not_stated", "Prefer not to say")];

/// Whether a patient is under care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PatientStatus {
    /// Under care.
    Active,
    /// Discharged; kept for the record.
    Discharged,
}

impl PatientStatus {
    /// Every status.
    pub const ALL: [PatientStatus; 2] = [Self::Active, Self::Discharged];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Discharged => "discharged",
        }
    }
}

crate::stored_as_code!(BodySide, PatientStatus);

/// A patient as typed into the form or sent to the API: text as received, so that every
/// problem can be reported next to its field instead of failing the whole request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate, utoipa::ToSchema)]
#[serde(default)]
pub struct PatientInput {
    /// Given (first) name.
    #[validate(length(min = 1, max = 100, message = "Enter the given name (up to 100 characters)."))]
    pub given_name: String,
    /// Family name.
    #[validate(length(min = 1, max = 100, message = "Enter the family name (up to 100 characters)."))]
    pub family_name: String,
    /// Date of birth, `YYYY-MM-DD`.
    pub date_of_birth: String,
    /// `female`, `male`, `other` or `not_stated`.
    pub sex: Option<String>,
    /// Telephone number.
    #[validate(length(max = 40, message = "Enter a telephone number of up to 40 characters."))]
    pub phone: Option<String>,
    /// E-mail address.
    #[validate(email(message = "Enter an e-mail address like name@example.org."))]
    pub email: Option<String>,
    /// Presenting condition, e.g. "Lumbar radiculopathy (sciatica)".
    #[validate(length(min = 1, max = 200, message = "Enter the condition (up to 200 characters)."))]
    pub condition: String,
    /// `left`, `right` or `bilateral`.
    pub side: String,
    /// Date symptoms began, `YYYY-MM-DD`.
    pub onset_date: Option<String>,
    /// The assigned therapist's user id.
    pub therapist_id: Option<String>,
    /// Safety-relevant history codes.
    pub history: Vec<String>,
}

/// A patient's fields after validation: every value is known to be well-formed.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientFields {
    /// Given name, trimmed.
    pub given_name: String,
    /// Family name, trimmed.
    pub family_name: String,
    /// Date of birth.
    pub date_of_birth: NaiveDate,
    /// Sex code.
    pub sex: Option<String>,
    /// Telephone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Condition.
    pub condition: String,
    /// Affected side.
    pub side: BodySide,
    /// Onset date.
    pub onset_date: Option<NaiveDate>,
    /// Assigned therapist (checked against the clinic by the caller).
    pub therapist_id: Option<UserId>,
    /// History codes.
    pub history: Vec<HistoryCode>,
}

fn parse_date(errors: &mut FieldErrors, field: &str, text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let date = super::dates::past_day(text, today).map_err(|m| add_field_error(errors, field, m)).ok()?;
    if date < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(date) {
        add_field_error(errors, field, "Enter a date after 1900.");
    }
    Some(date)
}

impl PatientInput {
    /// Trims text and treats empty optional fields as absent (forms send them as "").
    pub fn normalised(&self) -> Self {
        Self {
            given_name: self.given_name.trim().to_owned(),
            family_name: self.family_name.trim().to_owned(),
            date_of_birth: self.date_of_birth.trim().to_owned(),
            sex: blank_to_none(&self.sex),
            phone: blank_to_none(&self.phone),
            email: blank_to_none(&self.email),
            condition: self.condition.trim().to_owned(),
            side: self.side.trim().to_owned(),
            onset_date: blank_to_none(&self.onset_date),
            therapist_id: blank_to_none(&self.therapist_id),
            history: self.history.iter().map(|h| h.trim().to_owned()).filter(|h| !h.is_empty()).collect(),
        }
    }

    /// Validates every field, reporting all problems at once, each under its field name.
    pub fn validate_fields(&self, today: NaiveDate) -> Result<PatientFields, FieldErrors> {
        let input = self.normalised();
        let mut errors = input.validate().err().map(|e| from_validator(&e)).unwrap_or_default();
        let date_of_birth = if input.date_of_birth.is_empty() {
            add_field_error(&mut errors, "date_of_birth", "Enter the date of birth.");
            None
        } else {
            parse_date(&mut errors, "date_of_birth", &input.date_of_birth, today)
        };
        let onset_date = input.onset_date.as_deref().and_then(|d| parse_date(&mut errors, "onset_date", d, today));
        let side = BodySide::parse(&input.side);
        if side.is_none() {
            add_field_error(&mut errors, "side", "Choose left, right or bilateral.");
        }
        if let Some(sex) = &input.sex {
            if !SEX_CODES.iter().any(|(code, _)| code == sex) {
                add_field_error(&mut errors, "sex", "Choose female, male, other or not_stated.");
            }
        }
        let therapist_id = match input.therapist_id.as_deref().map(str::parse::<UserId>) {
            Some(Ok(id)) => Some(id),
            Some(Err(_)) => {
                add_field_error(&mut errors, "therapist_id", "Choose a therapist of this clinic.");
                None
            }
            None => None,
        };
        let mut history = Vec::new();
        for code in &input.history {
            match code.parse::<HistoryCode>() {
                Ok(code) => history.push(code),
                Err(message) => add_field_error(&mut errors, "history", message),
            }
        }
        match (date_of_birth, side) {
            (Some(date_of_birth), Some(side)) if errors.is_empty() => Ok(PatientFields {
                given_name: input.given_name,
                family_name: input.family_name,
                date_of_birth,
                sex: input.sex,
                phone: input.phone,
                email: input.email,
                condition: input.condition,
                side,
                onset_date,
                therapist_id,
                history,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_codes_read_back_and_an_unknown_one_is_refused_not_defaulted() {
        for status in PatientStatus::ALL {
            assert_eq!(PatientStatus::try_from(String::from(status)), Ok(status));
        }
        assert!(PatientStatus::try_from("archived".to_owned()).is_err());
        assert!(BodySide::try_from("both".to_owned()).is_err());
        assert_eq!(BodySide::try_from("bilateral".to_owned()), Ok(BodySide::Bilateral));
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default()
    }

    fn valid() -> PatientInput {
        PatientInput {
            given_name: " Ada ".into(),
            family_name: "Lovelace".into(),
            date_of_birth: "1970-05-01".into(),
            sex: Some(String::new()),
            condition: "Lumbar radiculopathy".into(),
            side: "left".into(),
            history: vec!["anticoagulants".into()],
            ..PatientInput::default()
        }
    }

    #[test]
    fn a_complete_patient_is_accepted_and_trimmed() {
        let fields = valid().validate_fields(today()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(fields.given_name, "Ada");
        assert_eq!(fields.sex, None);
        assert_eq!(fields.history, vec![HistoryCode::Anticoagulants]);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let input = PatientInput {
            given_name: "".into(),
            date_of_birth: "23/04/1980".into(),
            side: "up".into(),
            email: Some("not-an-email".into()),
            history: vec!["warfarin".into()],
            ..valid()
        };
        let errors = input.validate_fields(today()).err().unwrap_or_default();
        let fields: Vec<_> = errors.keys().map(String::as_str).collect();
        assert_eq!(fields, ["date_of_birth", "email", "given_name", "history", "side"]);
    }

    #[test]
    fn a_birth_date_in_the_future_is_refused() {
        let input = PatientInput { date_of_birth: "2030-01-01".into(), ..valid() };
        let errors = input.validate_fields(today()).err().unwrap_or_default();
        assert_eq!(errors["date_of_birth"], vec!["This date is in the future.".to_owned()]);
    }
}
