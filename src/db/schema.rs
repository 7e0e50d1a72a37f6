//! Hand-kept diesel schema, portable types only, so one schema serves SQLite and PostgreSQL.

diesel::table! {
    clinics (id) {
        id -> Text,
        name -> Text,
        phone -> Nullable<Text>,
        address -> Nullable<Text>,
        created_at -> Timestamp,
        mcid -> Nullable<Text>,
        reassessment_weeks -> Integer,
        require_totp -> Bool,
        time_zone -> Text,
        version -> Integer,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        clinic_id -> Text,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        created_at -> Timestamp,
        totp_secret -> Nullable<Text>,
        totp_enabled -> Bool,
        totp_last_step -> Nullable<BigInt>,
        version -> Integer,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        id -> Text,
        client_addr -> Nullable<Text>,
    }
}

diesel::table! {
    api_tokens (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        id -> Text,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Text,
        email -> Text,
        client_addr -> Text,
        attempted_at -> Timestamp,
    }
}

diesel::table! {
    login_throttle (client_addr) {
        client_addr -> Text,
        touched_at -> Timestamp,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> Text,
        user_id -> Text,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mfa_challenges (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        failures -> Integer,
    }
}

diesel::table! {
    patients (id) {
        id -> Text,
        clinic_id -> Text,
        therapist_id -> Nullable<Text>,
        given_name -> Text,
        family_name -> Text,
        search_name -> Text,
        date_of_birth -> Date,
        sex -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        condition -> Text,
        side -> Text,
        onset_date -> Nullable<Date>,
        history -> Text,
        status -> Text,
        discharged_on -> Nullable<Date>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        episode_number -> Integer,
        episode_started_on -> Nullable<Date>,
        family_key -> Text,
    }
}

diesel::table! {
    /// One row per patient for the caseload (service::caseload_summary keeps it).
    caseload_summary (patient_id) {
        patient_id -> Text,
        clinic_id -> Text,
        therapist_id -> Nullable<Text>,
        family_name -> Text,
        given_name -> Text,
        status -> Text,
        listed_until -> Date,
        stage -> Integer,
        last_assessed_on -> Nullable<Date>,
        odi_change -> Nullable<Double>,
        odi_band -> Nullable<Integer>,
        red_flag_unresolved -> Bool,
        safety_review_needed -> Bool,
        safety_override -> Bool,
        not_improving -> Bool,
        no_baseline_outcome -> Bool,
        discharged_without_outcome -> Bool,
        stored_flags -> Integer,
        reassess_from -> Nullable<Date>,
        stalled_after -> Nullable<Date>,
        draft_since -> Nullable<Timestamp>,
        summary_version -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Patients per caseload group of a clinic (see `db::caseload_counts`).
    caseload_counts (clinic_id, therapist_id, status, stage, odi_band, flags) {
        clinic_id -> Text,
        therapist_id -> Text,
        status -> Text,
        stage -> Integer,
        odi_band -> Integer,
        flags -> Integer,
        n -> BigInt,
    }
}

diesel::table! {
    /// The day and limits a clinic's caseload counts are judged at.
    caseload_marks (clinic_id) {
        clinic_id -> Text,
        today -> Date,
        reassess_before -> Date,
        stalled_before -> Date,
    }
}

diesel::table! {
    /// Patient search text (SQLite: an FTS5 trigram table; PostgreSQL: a pg_trgm index).
    patient_search (patient_id) {
        patient_id -> Text,
        clinic_id -> Text,
        body -> Text,
    }
}

diesel::table! {
    /// SQLite only: the integer keys of `patient_search` rows.
    patient_search_keys (n) {
        n -> BigInt,
        patient_id -> Text,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        clinic_id -> Nullable<Text>,
        action -> Text,
        patient_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
        client_addr -> Nullable<Text>,
        detail -> Nullable<Text>,
        seq -> BigInt,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    audit_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
        sealed -> Bool,
    }
}

diesel::table! {
    assessments (id) {
        id -> Text,
        patient_id -> Text,
        clinic_id -> Text,
        author_id -> Text,
        kind -> Text,
        assessed_on -> Date,
        status -> Text,
        content -> Text,
        signed_by -> Nullable<Text>,
        signed_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        nprs_worst -> Nullable<Double>,
        odi_percent -> Nullable<Double>,
        red_flags -> Text,
        summary_version -> Integer,
    }
}

diesel::table! {
    assessment_amendments (id) {
        id -> Text,
        assessment_id -> Text,
        author_id -> Text,
        reason -> Text,
        content -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    red_flag_actions (id) {
        id -> Text,
        patient_id -> Text,
        assessment_id -> Text,
        flag_code -> Text,
        action -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
        kind -> Nullable<Text>,
    }
}

diesel::table! {
    modalities (id) {
        id -> Text,
        clinic_id -> Nullable<Text>,
        code -> Text,
        version -> Integer,
        is_current -> Bool,
        category -> Text,
        name -> Text,
        body_region -> Text,
        stages -> Text,
        definition -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        retired -> Bool,
    }
}

diesel::table! {
    plans (id) {
        id -> Text,
        patient_id -> Text,
        clinic_id -> Text,
        title -> Text,
        status -> Text,
        plan_version -> Integer,
        content -> Text,
        amend_reason -> Nullable<Text>,
        current_stage -> Integer,
        stage_started_on -> Nullable<Date>,
        has_override -> Bool,
        end_reason -> Nullable<Text>,
        created_by -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        stage_planned_weeks -> Nullable<Integer>,
        safety_review -> Bool,
        screen_override_reason -> Nullable<Text>,
    }
}

diesel::table! {
    plan_versions (id) {
        id -> Text,
        plan_id -> Text,
        number -> Integer,
        content -> Text,
        reason -> Nullable<Text>,
        activated_by -> Text,
        activated_at -> Timestamp,
        changes -> Nullable<Text>,
    }
}

diesel::table! {
    plan_blobs (hash) {
        hash -> Text,
        content -> Text,
    }
}

diesel::table! {
    protocols (id) {
        id -> Text,
        clinic_id -> Nullable<Text>,
        code -> Nullable<Text>,
        name -> Text,
        description -> Text,
        content -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        version -> Integer,
        retired -> Bool,
    }
}

diesel::table! {
    clinic_media (id) {
        id -> Text,
        clinic_id -> Text,
        modality_code -> Text,
        content_type -> Text,
        bytes -> Binary,
        sha256 -> Text,
        width -> Integer,
        height -> Integer,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    held_posts (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        path -> Text,
        body -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(users -> clinics (clinic_id));
diesel::joinable!(plan_versions -> plans (plan_id));
diesel::joinable!(assessment_amendments -> assessments (assessment_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(held_posts -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(recovery_codes -> users (user_id));
diesel::joinable!(mfa_challenges -> users (user_id));
diesel::joinable!(patients -> clinics (clinic_id));
diesel::joinable!(patients -> users (therapist_id));
diesel::joinable!(caseload_summary -> users (therapist_id));

diesel::allow_tables_to_appear_in_same_query!(
    caseload_counts,
    patient_search_keys,
    caseload_marks,
    clinics,
    users,
    sessions,
    held_posts,
    api_tokens,
    login_attempts,
    login_throttle,
    recovery_codes,
    mfa_challenges,
    patients,
    caseload_summary,
    patient_search,
    audit_events,
    audit_head,
    assessments,
    assessment_amendments,
    red_flag_actions,
    modalities,
    plans,
    plan_versions,
    plan_blobs,
    protocols,
    clinic_media,
);
