// @generated automatically by Diesel CLI.

diesel::table! {
    appointments (id) {
        id -> Int8,
        patient_id -> Int8,
        doctor_id -> Nullable<Int8>,
        branch_id -> Int8,
        start_at -> Timestamp,
        duration_min -> Int4,
        appt_type -> Text,
        status -> Text,
        reason -> Nullable<Text>,
        note -> Nullable<Text>,
        queue_no -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Int4,
    }
}

diesel::table! {
    branches (id) {
        id -> Int8,
        code -> Text,
        hcode -> Nullable<Text>,
        name_th -> Text,
        name_en -> Nullable<Text>,
        branch_type -> Text,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        address_line -> Nullable<Text>,
        sub_district -> Nullable<Text>,
        district -> Nullable<Text>,
        province -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        active -> Bool,
        updated_at -> Timestamp,
        version -> Int4,
    }
}

diesel::table! {
    claim_items (id) {
        id -> Int8,
        claim_id -> Int8,
        seq -> Int4,
        category -> Text,
        item_code -> Text,
        item_name -> Nullable<Text>,
        quantity -> Int4,
        unit_price_satang -> Int8,
        net_satang -> Int8,
        updated_at -> Timestamp,
        version -> Int4,
    }
}

diesel::table! {
    claims (id) {
        id -> Int8,
        claim_no -> Text,
        visit_id -> Nullable<Int8>,
        patient_id -> Int8,
        coverage_id -> Nullable<Int8>,
        insurer_id -> Int8,
        branch_id -> Int8,
        claim_use -> Text,
        claim_type -> Text,
        status -> Text,
        priority -> Text,
        total_satang -> Int8,
        created_at -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        version -> Int4,
    }
}

diesel::table! {
    clinical_notes (id) {
        id -> Int8,
        visit_id -> Int8,
        author_doctor_id -> Int8,
        note_type -> Text,
        subjective -> Nullable<Text>,
        objective -> Nullable<Text>,
        assessment -> Nullable<Text>,
        plan -> Nullable<Text>,
        status -> Text,
        written_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Int4,
    }
}

diesel::table! {
    diagnoses (id) {
        id -> Int8,
        visit_id -> Int8,
        icd10 -> Text,
        diag_type -> Int2,
        doctor_id -> Nullable<Int8>,
        diagnosed_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Int4,
    }
}

diesel::table! {
    doctor_schedules (id) {
        id -> Int8,
        doctor_id -> Int8,
        branch_id -> Int8,
        weekday -> Int2,
        start_time -> Time,
        end_time -> Time,
        slot_minutes -> Int4,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        active -> Bool,
        updated_at -> Timestamp,
        version -> Int4,
    }
}

diesel::table! {
    doctors (id) {
        id -> Int8,
        license_no -> Text,
        title_th -> Nullable<Text>,
        first_name_th -> Text,
        last_name_th -> Text,
        first_name_en -> Nullable<Text>,
        last_name_en -> Nullable<Text>,
        sex -> Nullable<Text>,
        specialty -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        branch_id -> Nullable<Int8>,
        active -> Bool,
        updated_at -> Timestamp,
        version -> Int4,
    }
}

diesel::table! {
    drugs (id) {
        id -> Int8,
        local_code -> Text,
        tmt_code -> Nullable<Text>,
        generic_name -> Text,
        trade_name -> Nullable<Text>,
        strength -> Nullable<Text>,
        dosage_form -> Nullable<Text>,
        dispense_unit -> Text,
        unit_price_satang -> Nullable<Int8>,
        active -> Bool,
        updated_at -> Timestamp,
        version -> Int4,
    }
}

diesel::table! {
    fhir_access_tokens (token_hash) {
        token_hash -> Text,
        key_id -> Int8,
        scopes -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    fhir_api_keys (id) {
        id -> Int8,
        client_id -> Text,
        name -> Text,
        secret_hash -> Text,
        scopes -> Text,
        manager -> Bool,
        requests_per_minute -> Int4,
        created_by -> Text,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    fhir_audit_events (id) {
        id -> Int8,
        version -> Int4,
        updated_at -> Timestamp,
        client_id -> Nullable<Text>,
        source_address -> Text,
        method -> Text,
        interaction -> Text,
        resource_type -> Nullable<Text>,
        resources -> Text,
        status -> Int4,
    }
}

diesel::table! {
    fhir_export_jobs (id) {
        id -> Text,
        client_id -> Text,
        request -> Text,
        types -> Text,
        since -> Nullable<Text>,
        patient_only -> Bool,
        status -> Text,
        progress -> Nullable<Text>,
        outputs -> Nullable<Text>,
        error -> Nullable<Text>,
        claimed_by -> Nullable<Text>,
        heartbeat -> Nullable<Timestamp>,
        transaction_time -> Timestamp,
        created_at -> Timestamp,
        group_id -> Nullable<Text>,
        type_filters -> Nullable<Text>,
    }
}

diesel::table! {
    fhir_outbox (id) {
        id -> Int8,
        stream -> Text,
        subscription_id -> Nullable<Int8>,
        channel -> Text,
        event_name -> Text,
        resource_type -> Text,
        resource_id -> Text,
        body -> Text,
        created_at -> Timestamp,
        due_at -> Timestamp,
        attempts -> Int4,
        last_error -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    fhir_rate_windows (subject, window_start, shard) {
        subject -> Text,
        window_start -> Int8,
        shard -> Int2,
        hits -> Int4,
    }
}

diesel::table! {
    fhir_resource_versions (resource_type, resource_id, version) {
        resource_type -> Text,
        resource_id -> Text,
        version -> Int4,
        last_updated -> Timestamp,
        method -> Nullable<Text>,
        resource -> Text,
    }
}

diesel::table! {
    fhir_subscriptions (id) {
        id -> Int8,
        owner_client_id -> Text,
        status -> Text,
        reason -> Text,
        criteria -> Text,
        criteria_type -> Text,
        endpoint -> Text,
        payload -> Nullable<Text>,
        headers -> Text,
        end_time -> Nullable<Timestamp>,
        error -> Nullable<Text>,
        contact -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Int4,
    }
}

diesel::table! {
    insurers (id) {
        id -> Int8,
        code -> Text,
        name_th -> Text,
        name_en -> Nullable<Text>,
        insurer_type -> Text,
        phone -> Nullable<Text>,
        active -> Bool,
        updated_at -> Timestamp,
        version -> Int4,
    }
}

diesel::table! {
    lab_results (id) {
        id -> Int8,
        visit_id -> Int8,
        local_code -> Text,
        loinc_code -> Nullable<Text>,
        test_name -> Text,
        value_numeric -> Nullable<Float8>,
        value_text -> Nullable<Text>,
        unit -> Nullable<Text>,
        ref_low -> Nullable<Float8>,
        ref_high -> Nullable<Float8>,
        ref_text -> Nullable<Text>,
        flag -> Nullable<Text>,
        status -> Text,
        collected_at -> Nullable<Timestamp>,
        reported_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        version -> Int4,
    }
}

diesel::table! {
    patient_coverages (id) {
        id -> Int8,
        patient_id -> Int8,
        insurer_id -> Int8,
        scheme -> Text,
        member_no -> Nullable<Text>,
        plan_name -> Nullable<Text>,
        main_hospital_code -> Nullable<Text>,
        valid_from -> Nullable<Date>,
        valid_to -> Nullable<Date>,
        status -> Text,
        updated_at -> Timestamp,
        version -> Int4,
    }
}

diesel::table! {
    patients (id) {
        id -> Int8,
        hn -> Text,
        national_id -> Nullable<Text>,
        passport_no -> Nullable<Text>,
        passport_country -> Nullable<Text>,
        title_th -> Nullable<Text>,
        first_name_th -> Nullable<Text>,
        last_name_th -> Nullable<Text>,
        first_name_en -> Nullable<Text>,
        last_name_en -> Nullable<Text>,
        sex -> Text,
        birth_date -> Nullable<Date>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        address_line -> Nullable<Text>,
        sub_district -> Nullable<Text>,
        district -> Nullable<Text>,
        province -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        nationality -> Nullable<Text>,
        blood_group -> Nullable<Text>,
        allergies -> Nullable<Text>,
        deceased -> Bool,
        deceased_at -> Nullable<Timestamp>,
        primary_doctor_id -> Nullable<Int8>,
        registered_branch_id -> Nullable<Int8>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Int4,
        moph_user_id -> Nullable<Text>,
    }
}

diesel::table! {
    prescriptions (id) {
        id -> Int8,
        visit_id -> Int8,
        drug_id -> Int8,
        doctor_id -> Nullable<Int8>,
        dose -> Nullable<Float8>,
        dose_unit -> Nullable<Text>,
        frequency -> Nullable<Text>,
        route -> Nullable<Text>,
        duration_days -> Nullable<Int4>,
        quantity -> Nullable<Int4>,
        sig_text -> Nullable<Text>,
        status -> Text,
        dispensed -> Bool,
        dispensed_at -> Nullable<Timestamp>,
        prescribed_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Int4,
    }
}

diesel::table! {
    visits (id) {
        id -> Int8,
        vn -> Text,
        patient_id -> Int8,
        doctor_id -> Nullable<Int8>,
        branch_id -> Int8,
        appointment_id -> Nullable<Int8>,
        coverage_id -> Nullable<Int8>,
        started_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        chief_complaint -> Nullable<Text>,
        visit_type -> Text,
        status -> Text,
        updated_at -> Timestamp,
        version -> Int4,
    }
}

diesel::table! {
    vital_signs (id) {
        id -> Int8,
        visit_id -> Int8,
        measured_at -> Timestamp,
        weight_kg -> Nullable<Float8>,
        height_cm -> Nullable<Float8>,
        bp_systolic -> Nullable<Int4>,
        bp_diastolic -> Nullable<Int4>,
        pulse_rate -> Nullable<Int4>,
        temperature_c -> Nullable<Float8>,
        respiratory_rate -> Nullable<Int4>,
        spo2 -> Nullable<Int4>,
        updated_at -> Timestamp,
        version -> Int4,
    }
}

diesel::joinable!(appointments -> branches (branch_id));
diesel::joinable!(appointments -> doctors (doctor_id));
diesel::joinable!(appointments -> patients (patient_id));
diesel::joinable!(claim_items -> claims (claim_id));
diesel::joinable!(claims -> branches (branch_id));
diesel::joinable!(claims -> insurers (insurer_id));
diesel::joinable!(claims -> patient_coverages (coverage_id));
diesel::joinable!(claims -> patients (patient_id));
diesel::joinable!(claims -> visits (visit_id));
diesel::joinable!(fhir_outbox -> fhir_subscriptions (subscription_id));
diesel::joinable!(clinical_notes -> doctors (author_doctor_id));
diesel::joinable!(clinical_notes -> visits (visit_id));
diesel::joinable!(diagnoses -> doctors (doctor_id));
diesel::joinable!(diagnoses -> visits (visit_id));
diesel::joinable!(doctor_schedules -> branches (branch_id));
diesel::joinable!(doctor_schedules -> doctors (doctor_id));
diesel::joinable!(doctors -> branches (branch_id));
diesel::joinable!(fhir_access_tokens -> fhir_api_keys (key_id));
diesel::joinable!(lab_results -> visits (visit_id));
diesel::joinable!(patient_coverages -> insurers (insurer_id));
diesel::joinable!(patient_coverages -> patients (patient_id));
diesel::joinable!(patients -> branches (registered_branch_id));
diesel::joinable!(patients -> doctors (primary_doctor_id));
diesel::joinable!(prescriptions -> doctors (doctor_id));
diesel::joinable!(prescriptions -> drugs (drug_id));
diesel::joinable!(prescriptions -> visits (visit_id));
diesel::joinable!(visits -> appointments (appointment_id));
diesel::joinable!(visits -> branches (branch_id));
diesel::joinable!(visits -> doctors (doctor_id));
diesel::joinable!(visits -> patient_coverages (coverage_id));
diesel::joinable!(visits -> patients (patient_id));
diesel::joinable!(vital_signs -> visits (visit_id));

diesel::allow_tables_to_appear_in_same_query!(
    appointments,
    branches,
    claim_items,
    claims,
    clinical_notes,
    diagnoses,
    doctor_schedules,
    doctors,
    drugs,
    fhir_access_tokens,
    fhir_api_keys,
    fhir_audit_events,
    fhir_export_jobs,
    fhir_outbox,
    fhir_rate_windows,
    fhir_resource_versions,
    fhir_subscriptions,
    insurers,
    lab_results,
    patient_coverages,
    patients,
    prescriptions,
    visits,
    vital_signs,
);
