//! Arabic, the default language.
use super::{Key, ProblemCode};
use madar_openapi::users::Role;

pub(super) fn text(key: Key) -> &'static str {
    match key {
        Key::LanguageSwitcher => "اللغة",
        Key::SignInTitle => "تسجيل الدخول",
        Key::SignInIntro => "فضاء مهنيي حماية الطفولة",
        Key::Email => "البريد الإلكتروني",
        Key::Password => "كلمة المرور",
        Key::SignIn => "دخول",
        Key::SigningIn => "جارٍ الدخول…",
        Key::Welcome => "مرحبًا، {name}",
        Key::Role => "الدور",
        Key::Organization => "المؤسسة",
        Key::SignOut => "تسجيل الخروج",
    }
}

pub(super) fn problem(code: ProblemCode) -> &'static str {
    match code {
        ProblemCode::InvalidCredentials => "البريد الإلكتروني أو كلمة المرور غير صحيحة.",
        ProblemCode::AccountLocked => "تم قفل الحساب مؤقتًا بعد عدة محاولات فاشلة. حاول لاحقًا.",
        ProblemCode::RateLimited => "طلبات كثيرة جدًا. انتظر قليلًا ثم أعد المحاولة.",
        ProblemCode::ValidationFailed => "بعض الحقول غير صالحة. تحقق منها ثم أعد المحاولة.",
        ProblemCode::BadRequest => "طلب غير صالح.",
        ProblemCode::Unauthorized => "انتهت الجلسة أو لم يتم تسجيل الدخول. يرجى تسجيل الدخول.",
        ProblemCode::Forbidden => "ليست لديك صلاحية القيام بهذه العملية.",
        ProblemCode::NotFound => "العنصر المطلوب غير موجود.",
        ProblemCode::Conflict => "تعارض مع تعديل آخر. أعد تحميل البيانات.",
        ProblemCode::PreconditionFailed => "عدّل شخص آخر هذه البيانات في الأثناء. أعد تحميلها.",
        ProblemCode::ServiceUnavailable => "الخدمة غير متاحة مؤقتًا. حاول بعد قليل.",
        ProblemCode::InternalError => "حدث خطأ في الخادم.",
        ProblemCode::NetworkError => "تعذر الاتصال بالخادم. تحقق من الشبكة.",
        ProblemCode::Unexpected => "حدث خطأ غير متوقع.",
    }
}

pub(super) fn role(role: Role) -> &'static str {
    match role {
        Role::Admin => "مسؤول النظام",
        Role::Coordinator => "منسق",
        Role::CaseWorker => "مكلف بتدبير الحالات",
        Role::Partner => "شريك",
        Role::Hotline => "مستمع الخط 2511",
        Role::Analyst => "محلل",
        Role::Auditor => "مدقق",
    }
}
