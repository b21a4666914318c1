//! The device side of the queue: IndexedDB (database `madar-offline`: store `keys` holds one
//! non-extractable AES-GCM `CryptoKey` per user, store `reports` one record per queued report)
//! and WebCrypto. A record is `{ meta, user, iv, data }`: `meta` is the clear JSON of
//! [`Meta`] (key, user, capture time, state; nothing about the child), `data` the report's JSON
//! encrypted with the user's key (a fresh 12-byte IV each time, the entry's key as additional
//! data, so a record cannot be moved under another key).
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AesGcmParams, AesKeyGenParams, CryptoKey, IdbDatabase, IdbObjectStore, IdbOpenDbRequest,
    IdbRequest, IdbTransaction, IdbTransactionMode, SubtleCrypto,
};

use super::queue::Meta;

const DB: &str = "madar-offline";
const VERSION: u32 = 1;
const KEYS: &str = "keys";
const REPORTS: &str = "reports";

/// A failure of the browser's storage or crypto (private mode, quota, a wiped key...).
#[derive(Debug, Clone, PartialEq)]
pub struct StoreError;

impl From<JsValue> for StoreError {
    fn from(_: JsValue) -> StoreError {
        StoreError
    }
}

type Result<T> = std::result::Result<T, StoreError>;

/// Resolves with a request's result once it succeeds.
async fn done(request: &IdbRequest) -> Result<JsValue> {
    let req = request.clone();
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let r = req.clone();
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::UNDEFINED, &r.result().unwrap_or_default());
        });
        let err = Closure::once_into_js(move || {
            let _ = reject.call0(&JsValue::UNDEFINED);
        });
        req.set_onsuccess(Some(ok.unchecked_ref()));
        req.set_onerror(Some(err.unchecked_ref()));
    });
    Ok(JsFuture::from(promise).await?)
}

/// Resolves once a read-write transaction is committed.
async fn committed(tx: &IdbTransaction) -> Result<()> {
    let t = tx.clone();
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        });
        let reject2 = reject.clone();
        let err = Closure::once_into_js(move || {
            let _ = reject.call0(&JsValue::UNDEFINED);
        });
        let abort = Closure::once_into_js(move || {
            let _ = reject2.call0(&JsValue::UNDEFINED);
        });
        t.set_oncomplete(Some(ok.unchecked_ref()));
        t.set_onerror(Some(err.unchecked_ref()));
        t.set_onabort(Some(abort.unchecked_ref()));
    });
    JsFuture::from(promise).await?;
    Ok(())
}

async fn open() -> Result<IdbDatabase> {
    let window = web_sys::window().ok_or(StoreError)?;
    let factory = window.indexed_db()?.ok_or(StoreError)?;
    let request: IdbOpenDbRequest = factory.open_with_u32(DB, VERSION)?;
    let req = request.clone();
    let upgrade = Closure::<dyn FnMut()>::new(move || {
        if let Ok(db) = req.result() {
            let db: IdbDatabase = db.unchecked_into();
            let names = db.object_store_names();
            for name in [KEYS, REPORTS] {
                if !names.contains(name) {
                    let _ = db.create_object_store(name);
                }
            }
        }
    });
    request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let db = done(&request).await;
    request.set_onupgradeneeded(None);
    drop(upgrade);
    Ok(db?.unchecked_into())
}

fn store(
    db: &IdbDatabase,
    name: &str,
    mode: IdbTransactionMode,
) -> Result<(IdbTransaction, IdbObjectStore)> {
    let tx = db.transaction_with_str_and_mode(name, mode)?;
    let store = tx.object_store(name)?;
    Ok((tx, store))
}

fn subtle() -> Result<SubtleCrypto> {
    Ok(web_sys::window().ok_or(StoreError)?.crypto()?.subtle())
}

/// The user's key: made once (AES-GCM 256, not extractable) and kept in IndexedDB as a
/// `CryptoKey` object, which the page can use but never read.
async fn user_key(db: &IdbDatabase, user: &str) -> Result<CryptoKey> {
    let (_, keys) = store(db, KEYS, IdbTransactionMode::Readonly)?;
    let found = done(&keys.get(&JsValue::from_str(user))?).await?;
    if let Ok(key) = found.dyn_into::<CryptoKey>() {
        return Ok(key);
    }
    let params = AesKeyGenParams::new("AES-GCM", 256);
    let usages = Array::of2(&"encrypt".into(), &"decrypt".into());
    let made = JsFuture::from(subtle()?.generate_key_with_object(&params, false, &usages)?).await?;
    let key: CryptoKey = made.dyn_into()?;
    // `add` refuses when another page made one meanwhile: then use that one.
    let (tx, keys) = store(db, KEYS, IdbTransactionMode::Readwrite)?;
    let added = keys.add_with_key(&key, &JsValue::from_str(user));
    if added.is_ok() && committed(&tx).await.is_ok() {
        return Ok(key);
    }
    let (_, keys) = store(db, KEYS, IdbTransactionMode::Readonly)?;
    Ok(done(&keys.get(&JsValue::from_str(user))?)
        .await?
        .dyn_into()?)
}

fn gcm(iv: &Uint8Array, entry_key: &str) -> AesGcmParams {
    let params = AesGcmParams::new_with_u8_array("AES-GCM", iv);
    params.set_additional_data_u8_array(&Uint8Array::from(entry_key.as_bytes()));
    params
}

/// Encrypts `plain` and stores it with `meta` (replacing the record of the same key).
pub async fn put(meta: &Meta, plain: &[u8]) -> Result<()> {
    let db = open().await?;
    let key = user_key(&db, &meta.user).await?;
    let mut iv = [0u8; 12];
    web_sys::window()
        .ok_or(StoreError)?
        .crypto()?
        .get_random_values_with_u8_array(&mut iv)?;
    let iv = Uint8Array::from(&iv[..]);
    let sealed = JsFuture::from(subtle()?.encrypt_with_object_and_u8_array(
        &gcm(&iv, &meta.key),
        &key,
        plain,
    )?)
    .await?;
    let record = Object::new();
    let meta_json = serde_json::to_string(meta).map_err(|_| StoreError)?;
    Reflect::set(&record, &"meta".into(), &meta_json.into())?;
    Reflect::set(&record, &"user".into(), &meta.user.as_str().into())?;
    Reflect::set(&record, &"iv".into(), &iv)?;
    Reflect::set(&record, &"data".into(), &sealed)?;
    let (tx, reports) = store(&db, REPORTS, IdbTransactionMode::Readwrite)?;
    reports.put_with_key(&record, &JsValue::from_str(&meta.key))?;
    committed(&tx).await?;
    db.close();
    Ok(())
}

/// Rewrites an entry's clear part (its state) and keeps its encrypted report.
pub async fn update(meta: &Meta) -> Result<()> {
    let db = open().await?;
    let (tx, reports) = store(&db, REPORTS, IdbTransactionMode::Readwrite)?;
    let id = JsValue::from_str(&meta.key);
    let record = done(&reports.get(&id)?).await?;
    if record.is_object() {
        let meta_json = serde_json::to_string(meta).map_err(|_| StoreError)?;
        Reflect::set(&record, &"meta".into(), &meta_json.into())?;
        reports.put_with_key(&record, &id)?;
    }
    committed(&tx).await?;
    db.close();
    Ok(())
}

/// Every entry's clear part, of every user (filter with [`super::queue::of_user`]).
pub async fn all() -> Result<Vec<Meta>> {
    let db = open().await?;
    let (_, reports) = store(&db, REPORTS, IdbTransactionMode::Readonly)?;
    let records: Array = done(&reports.get_all()?).await?.dyn_into()?;
    db.close();
    Ok(records
        .iter()
        .filter_map(|r| Reflect::get(&r, &"meta".into()).ok()?.as_string())
        .filter_map(|json| crate::json::from_str(&json))
        .collect())
}

/// The decrypted report of `user`'s entry `key` (`None`: no such entry of theirs).
pub async fn read(user: &str, key: &str) -> Result<Option<Vec<u8>>> {
    let db = open().await?;
    let (_, reports) = store(&db, REPORTS, IdbTransactionMode::Readonly)?;
    let record = done(&reports.get(&JsValue::from_str(key))?).await?;
    if !record.is_object()
        || Reflect::get(&record, &"user".into())?
            .as_string()
            .as_deref()
            != Some(user)
    {
        return Ok(None);
    }
    let iv: Uint8Array = Reflect::get(&record, &"iv".into())?.dyn_into()?;
    let data: Object = Reflect::get(&record, &"data".into())?.dyn_into()?;
    let crypto_key = user_key(&db, user).await?;
    let plain = JsFuture::from(subtle()?.decrypt_with_object_and_buffer_source(
        &gcm(&iv, key),
        &crypto_key,
        &data,
    )?)
    .await?;
    db.close();
    Ok(Some(Uint8Array::new(&plain).to_vec()))
}

/// Removes an entry.
pub async fn remove(key: &str) -> Result<()> {
    let db = open().await?;
    let (tx, reports) = store(&db, REPORTS, IdbTransactionMode::Readwrite)?;
    reports.delete(&JsValue::from_str(key))?;
    committed(&tx).await?;
    db.close();
    Ok(())
}
