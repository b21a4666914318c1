//! The tables, as diesel sees them. One schema for both backends: ids are UUID text, times are
//! UTC `TIMESTAMP`s, booleans are `BOOLEAN` (an integer on SQLite).

diesel::table! {
    territories (code) {
        code -> Text,
        parent_code -> Nullable<Text>,
        level -> Text,
        path -> Text,
        name_ar -> Text,
        name_fr -> Text,
        name_en -> Text,
        iso_code -> Nullable<Text>,
        position -> Integer,
        version -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reference_items (list, code) {
        list -> Text,
        code -> Text,
        position -> Integer,
        label_ar -> Text,
        label_fr -> Text,
        label_en -> Text,
        parent_list -> Nullable<Text>,
        parent_code -> Nullable<Text>,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    organizations (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        label_ar -> Nullable<Text>,
        label_fr -> Nullable<Text>,
        label_en -> Nullable<Text>,
        org_type -> Text,
        sector -> Nullable<Text>,
        active -> Bool,
        demo -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    organization_territories (organization_id, territory_code) {
        organization_id -> Text,
        territory_code -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        role -> Text,
        organization_id -> Text,
        territory_code -> Text,
        language -> Text,
        active -> Bool,
        demo -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    api_clients (id) {
        id -> Text,
        client_id -> Text,
        name -> Text,
        secret_hash -> Text,
        role -> Text,
        organization_id -> Text,
        active -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        secret_rotated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        family_id -> Text,
        user_id -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        rotated_at -> Nullable<Timestamp>,
        revoked -> Bool,
    }
}

diesel::table! {
    login_failures (email) {
        email -> Text,
        failures -> Integer,
        window_start -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::joinable!(organization_territories -> organizations (organization_id));
diesel::joinable!(organization_territories -> territories (territory_code));
diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(users -> territories (territory_code));
diesel::joinable!(api_clients -> organizations (organization_id));
diesel::joinable!(refresh_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    territories,
    reference_items,
    settings,
    organizations,
    organization_territories,
    users,
    api_clients,
    refresh_tokens,
    login_failures,
    reference_sequences,
    reports,
    report_children,
    report_concerns,
    report_routes,
    children,
    child_match_keys,
    report_screenings,
    report_child_links,
    child_consents,
    child_merges,
    child_merge_moves,
    cases,
    case_concerns,
    case_assignments,
    case_reports,
    case_events,
    approvals,
    approval_rules,
    case_assessments,
    case_plans,
    plan_objectives,
    plan_actions,
    case_services,
    placements,
    judicial_measures,
    case_notes,
    case_attachments,
    case_transfers,
    child_guardians,
    child_siblings,
    services,
    service_territories,
    service_concerns,
    service_locations,
    referrals,
    protocols,
    protocol_actions,
    action_plans,
    plan_progress,
    programme,
    access_grants,
    legal_holds,
    territory_needs,
);

diesel::table! {
    idempotency_keys (actor_id, key) {
        actor_id -> Text,
        key -> Text,
        fingerprint -> Text,
        status -> Integer,
        body -> Text,
        location -> Nullable<Text>,
        etag -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// The audit log; `seq`, `prev_hmac` and `hmac` are set by the sealer (`audit::chain`).
    audit_events (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        actor_kind -> Text,
        actor_id -> Nullable<Text>,
        action -> Text,
        resource_type -> Nullable<Text>,
        resource_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
        seq -> Nullable<BigInt>,
        prev_hmac -> Nullable<Text>,
        hmac -> Nullable<Text>,
    }
}

diesel::table! {
    reference_sequences (series, territory_code, year) {
        series -> Text,
        territory_code -> Text,
        year -> Integer,
        last_value -> Integer,
    }
}

diesel::table! {
    reports (id) {
        id -> Text,
        reference -> Text,
        territory_code -> Text,
        source -> Text,
        received_at -> Timestamp,
        external_ref -> Nullable<Text>,
        reporter_type -> Text,
        reporter_name_sealed -> Nullable<Text>,
        reporter_phone_sealed -> Nullable<Text>,
        immediate_danger -> Bool,
        priority -> Integer,
        narrative_sealed -> Nullable<Text>,
        status -> Text,
        routed_national -> Bool,
        created_by_kind -> Text,
        created_by_id -> Text,
        created_by_org -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    report_children (report_id, position) {
        report_id -> Text,
        position -> Integer,
        given_name_ar -> Nullable<Text>,
        family_name_ar -> Nullable<Text>,
        given_name_latin -> Nullable<Text>,
        family_name_latin -> Nullable<Text>,
        sex -> Text,
        date_of_birth -> Nullable<Date>,
        estimated_birth_year -> Nullable<Integer>,
        territory_code -> Text,
        address_sealed -> Nullable<Text>,
        situation -> Text,
    }
}

diesel::table! {
    report_concerns (report_id, concern_code) {
        report_id -> Text,
        concern_code -> Text,
    }
}

diesel::table! {
    report_routes (report_id, organization_id) {
        report_id -> Text,
        organization_id -> Text,
    }
}

diesel::joinable!(report_children -> reports (report_id));
diesel::joinable!(report_concerns -> reports (report_id));
diesel::joinable!(report_routes -> reports (report_id));
diesel::joinable!(report_routes -> organizations (organization_id));
diesel::joinable!(report_children -> territories (territory_code));

diesel::table! {
    children (id) {
        id -> Text,
        given_name_ar -> Nullable<Text>,
        family_name_ar -> Nullable<Text>,
        given_name_latin -> Nullable<Text>,
        family_name_latin -> Nullable<Text>,
        aliases -> Text,
        sex -> Text,
        date_of_birth -> Nullable<Date>,
        estimated_birth_year -> Nullable<Integer>,
        nationality -> Nullable<Text>,
        civil_status -> Text,
        territory_code -> Text,
        situation -> Text,
        family_situation_sealed -> Nullable<Text>,
        schooling_sealed -> Nullable<Text>,
        owner_org -> Text,
        created_by_id -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        merged_into -> Nullable<Text>,
    }
}

diesel::table! {
    child_match_keys (key, child_id) {
        key -> Text,
        child_id -> Text,
    }
}

diesel::joinable!(children -> territories (territory_code));
diesel::joinable!(children -> organizations (owner_org));
diesel::joinable!(child_match_keys -> children (child_id));

diesel::table! {
    report_screenings (report_id) {
        report_id -> Text,
        decision -> Text,
        closing_reason -> Nullable<Text>,
        decided_by -> Text,
        decided_at -> Timestamp,
    }
}

diesel::table! {
    report_child_links (report_id, position) {
        report_id -> Text,
        position -> Integer,
        child_id -> Text,
    }
}

diesel::joinable!(report_screenings -> reports (report_id));
diesel::joinable!(report_child_links -> reports (report_id));
diesel::joinable!(report_child_links -> children (child_id));

diesel::table! {
    child_consents (id) {
        id -> Text,
        child_id -> Text,
        given_by -> Text,
        relationship -> Text,
        given_at -> Timestamp,
        recipients -> Text,
        field_groups -> Text,
        purpose_sealed -> Text,
        expires_at -> Nullable<Timestamp>,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawn_by_id -> Nullable<Text>,
        withdrawal_reason_sealed -> Nullable<Text>,
        created_by_id -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(child_consents -> children (child_id));

diesel::table! {
    child_merges (id) {
        id -> Text,
        survivor_id -> Text,
        duplicate_id -> Text,
        merged_by -> Text,
        merged_at -> Timestamp,
        undone_by -> Nullable<Text>,
        undone_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    child_merge_moves (merge_id, table_name, row_key) {
        merge_id -> Text,
        table_name -> Text,
        row_key -> Text,
    }
}

diesel::joinable!(child_merge_moves -> child_merges (merge_id));

diesel::table! {
    cases (id) {
        id -> Text,
        reference -> Text,
        child_id -> Text,
        territory_code -> Text,
        owner_org -> Text,
        stage -> Text,
        urgency -> Text,
        priority -> Integer,
        risk_level -> Nullable<Text>,
        closure_reason -> Nullable<Text>,
        outcome_note_sealed -> Nullable<Text>,
        opened_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        opened_by_id -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(cases -> children (child_id));
diesel::joinable!(cases -> territories (territory_code));
diesel::joinable!(cases -> organizations (owner_org));

diesel::table! {
    case_concerns (case_id, concern_code) {
        case_id -> Text,
        concern_code -> Text,
    }
}

diesel::table! {
    case_assignments (case_id, user_id) {
        case_id -> Text,
        user_id -> Text,
        assigned_at -> Timestamp,
    }
}

diesel::table! {
    case_reports (case_id, report_id) {
        case_id -> Text,
        report_id -> Text,
        attached_at -> Timestamp,
    }
}

diesel::table! {
    case_events (id) {
        id -> Text,
        case_id -> Text,
        kind -> Text,
        at -> Timestamp,
        actor_id -> Text,
        subject_id -> Nullable<Text>,
        detail -> Text,
        note_sealed -> Nullable<Text>,
    }
}

diesel::table! {
    approvals (id) {
        id -> Text,
        case_id -> Text,
        kind -> Text,
        status -> Text,
        subject_id -> Nullable<Text>,
        request -> Text,
        request_sealed -> Nullable<Text>,
        requested_by_id -> Text,
        requested_at -> Timestamp,
        decided_by_id -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        comment_sealed -> Nullable<Text>,
        version -> Integer,
    }
}

diesel::table! {
    approval_rules (territory_code, kind) {
        territory_code -> Text,
        kind -> Text,
        enabled_by_id -> Text,
        enabled_at -> Timestamp,
    }
}

diesel::table! {
    case_assessments (id) {
        id -> Text,
        case_id -> Text,
        instrument_code -> Text,
        instrument_version -> Integer,
        answers -> Text,
        score -> Integer,
        computed_level -> Text,
        risk_level -> Text,
        override_justification_sealed -> Nullable<Text>,
        status -> Text,
        assessed_by_id -> Text,
        assessed_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    case_plans (case_id) {
        case_id -> Text,
        status -> Text,
        version -> Integer,
        updated_by_id -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plan_objectives (id) {
        id -> Text,
        case_id -> Text,
        position -> Integer,
        domain -> Text,
        description_sealed -> Text,
    }
}

diesel::table! {
    plan_actions (id) {
        id -> Text,
        case_id -> Text,
        objective_id -> Text,
        position -> Integer,
        description_sealed -> Text,
        responsible_org -> Nullable<Text>,
        due_date -> Nullable<Date>,
        status -> Text,
    }
}

diesel::table! {
    case_services (id) {
        id -> Text,
        case_id -> Text,
        service_type -> Text,
        domain -> Text,
        delivered_at -> Timestamp,
        by_org -> Text,
        notes_sealed -> Nullable<Text>,
        recorded_by_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    placements (id) {
        id -> Text,
        child_id -> Text,
        case_id -> Nullable<Text>,
        institution_org -> Text,
        from_date -> Date,
        to_date -> Nullable<Date>,
        reason_sealed -> Nullable<Text>,
        version -> Integer,
        created_by_id -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    judicial_measures (id) {
        id -> Text,
        case_id -> Text,
        measure_type -> Text,
        authority -> Text,
        measure_date -> Date,
        reference -> Nullable<Text>,
        next_date -> Nullable<Date>,
        outcome_sealed -> Nullable<Text>,
        version -> Integer,
        created_by_id -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    case_notes (id) {
        id -> Text,
        case_id -> Text,
        note_type -> Text,
        occurred_at -> Timestamp,
        sensitive -> Bool,
        text_sealed -> Text,
        author_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    case_attachments (id) {
        id -> Text,
        case_id -> Text,
        kind -> Text,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> Integer,
        sha256 -> Text,
        content_sealed -> Text,
        uploaded_by_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    case_transfers (id) {
        id -> Text,
        case_id -> Text,
        from_org -> Text,
        to_org -> Text,
        from_territory_code -> Text,
        to_territory_code -> Text,
        status -> Text,
        reason_sealed -> Nullable<Text>,
        requested_by_id -> Text,
        requested_at -> Timestamp,
        decided_by_id -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        comment_sealed -> Nullable<Text>,
        version -> Integer,
    }
}

diesel::joinable!(case_concerns -> cases (case_id));
diesel::joinable!(case_assignments -> cases (case_id));
diesel::joinable!(case_reports -> cases (case_id));
diesel::joinable!(case_events -> cases (case_id));
diesel::joinable!(approvals -> cases (case_id));
diesel::joinable!(case_assessments -> cases (case_id));
diesel::joinable!(plan_actions -> plan_objectives (objective_id));
diesel::joinable!(case_services -> cases (case_id));
diesel::joinable!(placements -> children (child_id));
diesel::joinable!(judicial_measures -> cases (case_id));
diesel::joinable!(case_notes -> cases (case_id));
diesel::joinable!(case_attachments -> cases (case_id));
diesel::joinable!(case_transfers -> cases (case_id));

diesel::table! {
    child_guardians (id) {
        id -> Text,
        child_id -> Text,
        relationship -> Text,
        name_sealed -> Text,
        phone_sealed -> Nullable<Text>,
        address_sealed -> Nullable<Text>,
        lives_with_child -> Bool,
        is_primary -> Bool,
        version -> Integer,
        created_by_id -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    child_siblings (id) {
        id -> Text,
        child_id -> Text,
        other_child_id -> Text,
        relation -> Text,
        created_by_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(child_guardians -> children (child_id));

diesel::table! {
    services (id) {
        id -> Text,
        service_type -> Text,
        domain -> Text,
        provider_org -> Text,
        name -> Text,
        name_ar -> Nullable<Text>,
        name_fr -> Nullable<Text>,
        description -> Nullable<Text>,
        min_age -> Nullable<Integer>,
        max_age -> Nullable<Integer>,
        sexes -> Text,
        concerns -> Text,
        languages -> Text,
        capacity -> Nullable<Integer>,
        places_available -> Nullable<Integer>,
        capacity_updated_at -> Nullable<Timestamp>,
        confidential -> Bool,
        active -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    service_territories (service_id, territory_code) {
        service_id -> Text,
        territory_code -> Text,
    }
}

diesel::table! {
    service_concerns (service_id, concern_code) {
        service_id -> Text,
        concern_code -> Text,
    }
}

diesel::table! {
    service_locations (id) {
        id -> Text,
        service_id -> Text,
        position -> Integer,
        name -> Nullable<Text>,
        address -> Text,
        city -> Nullable<Text>,
        territory_code -> Nullable<Text>,
        phone -> Nullable<Text>,
        opening_hours -> Nullable<Text>,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
    }
}

diesel::joinable!(services -> organizations (provider_org));
diesel::joinable!(service_territories -> services (service_id));
diesel::joinable!(service_territories -> territories (territory_code));
diesel::joinable!(service_concerns -> services (service_id));
diesel::joinable!(service_locations -> services (service_id));

diesel::table! {
    referrals (id) {
        id -> Text,
        case_id -> Text,
        child_id -> Text,
        from_org -> Text,
        to_org -> Text,
        service_id -> Nullable<Text>,
        service_type -> Text,
        domain -> Text,
        status -> Text,
        urgency -> Text,
        reason_sealed -> Text,
        due_by -> Timestamp,
        respond_by -> Timestamp,
        consent_id -> Nullable<Text>,
        field_groups -> Text,
        snapshot_sealed -> Text,
        plan_action_id -> Nullable<Text>,
        override_reason_sealed -> Nullable<Text>,
        decline_reason_sealed -> Nullable<Text>,
        outcome -> Nullable<Text>,
        feedback_sealed -> Nullable<Text>,
        cancel_reason_sealed -> Nullable<Text>,
        sent_by_id -> Text,
        sent_at -> Timestamp,
        answered_at -> Nullable<Timestamp>,
        started_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        updated_by_id -> Nullable<Text>,
        version -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(referrals -> cases (case_id));

diesel::table! {
    protocols (id) {
        id -> Text,
        territory_code -> Text,
        title -> Text,
        status -> Text,
        rules -> Text,
        created_by_id -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        retired_at -> Nullable<Timestamp>,
        version -> Integer,
    }
}

diesel::table! {
    protocol_actions (id) {
        id -> Text,
        protocol_id -> Text,
        rule_key -> Text,
        trigger_event -> Text,
        action -> Text,
        service_type -> Nullable<Text>,
        responsible -> Text,
        territory_code -> Text,
        report_id -> Nullable<Text>,
        case_id -> Nullable<Text>,
        status -> Text,
        due_at -> Timestamp,
        created_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
        completed_by_id -> Nullable<Text>,
        waiver_reason_sealed -> Nullable<Text>,
        version -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(protocols -> territories (territory_code));
diesel::joinable!(protocol_actions -> protocols (protocol_id));

diesel::table! {
    /// Live updates (`events`): thin events read by every process's SSE streams.
    live_events (id) {
        id -> BigInt,
        kind -> Text,
        resource_id -> Text,
        organizations -> Text,
        territories -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Single-use tickets that open an SSE stream (`events`), by hash.
    event_tickets (ticket_hash) {
        ticket_hash -> Text,
        subject_kind -> Text,
        subject_id -> Text,
        token_expires_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Webhook endpoints of an organization (`webhooks`); secrets sealed.
    webhooks (id) {
        id -> Text,
        organization_id -> Text,
        url -> Text,
        events -> Text,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_until -> Nullable<Timestamp>,
        status -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// The webhook outbox: one event to one endpoint (`webhooks::worker`).
    webhook_deliveries (id) {
        id -> Text,
        webhook_id -> Text,
        event_type -> Text,
        resource_id -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        first_attempt_at -> Nullable<Timestamp>,
        next_attempt_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Each try of a webhook delivery.
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> Text,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    /// Provincial action plans (`plans`); `objectives` is JSON.
    action_plans (id) {
        id -> Text,
        territory_code -> Text,
        title -> Text,
        starts_on -> Date,
        ends_on -> Date,
        status -> Text,
        objectives -> Text,
        created_by_id -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    /// Progress on a plan's measures, appended.
    plan_progress (id) {
        id -> Text,
        plan_id -> Text,
        measure_key -> Text,
        status -> Text,
        percent_done -> Integer,
        as_of -> Date,
        note -> Nullable<Text>,
        recorded_values -> Text,
        recorded_by_id -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::joinable!(action_plans -> territories (territory_code));
diesel::joinable!(plan_progress -> action_plans (plan_id));

diesel::table! {
    /// The national executive programme: one document (`programme`), `objectives` is JSON.
    programme (id) {
        id -> Text,
        objectives -> Text,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    /// Break-the-glass: a coordinator's time-limited access to a case outside their territory.
    access_grants (id) {
        id -> Text,
        user_id -> Text,
        case_id -> Text,
        child_id -> Text,
        reason_sealed -> Text,
        granted_at -> Timestamp,
        expires_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// A case kept from retention's erasure while a court or an investigation needs it.
    legal_holds (id) {
        id -> Text,
        case_id -> Text,
        reason_sealed -> Text,
        placed_by_id -> Text,
        placed_at -> Timestamp,
    }
}

diesel::joinable!(access_grants -> cases (case_id));
diesel::joinable!(legal_holds -> cases (case_id));

diesel::table! {
    /// The needs a provincial committee records in its diagnostic (JSON), replaced whole.
    territory_needs (territory_code) {
        territory_code -> Text,
        needs -> Text,
        updated_by_id -> Text,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    statistic_tallies (id) {
        id -> BigInt,
        measure -> Text,
        facet -> Text,
        value -> Text,
        month -> Timestamp,
        territory_code -> Text,
        n -> BigInt,
        folded -> Bool,
    }
}

diesel::table! {
    derived_state (name) {
        name -> Text,
        stale -> Bool,
    }
}
