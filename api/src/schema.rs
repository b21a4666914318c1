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
);
