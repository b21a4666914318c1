//! Moroccan given and family names in Arabic and Latin script, each with the spelling variants
//! a register really holds (Mohamed, Mohammed, Mhamed, محمد, امحمد…), for the generator.
//! One entry is `arabic variants | latin variants`, each list separated by `/`.
use rand::Rng;

/// Boys' given names.
const MALE: &str = "محمد/امحمد|Mohamed/Mohammed/Mhamed/Muhammad;أحمد/احمد|Ahmed/Ahmad/Hmad;\
يوسف|Youssef/Yousef/Youssouf;عمر|Omar/Omer;علي|Ali/Aly;حسن|Hassan/Hasan;حسين|Houssine/Hussein/Hocine;\
إبراهيم/ابراهيم|Brahim/Ibrahim/Ibrahime;إسماعيل/اسماعيل|Ismail/Smail/Ismael;عبد الله/عبدالله|Abdellah/Abdallah/Abdullah;\
عبد الرحمان/عبد الرحمن|Abderrahmane/Abderrahman/Abdurrahman;عبد الكريم|Abdelkrim/Abdelkarim;عبد العزيز|Abdelaziz/Abdulaziz;\
عبد الإله/عبد الاله|Abdelilah/Abdelillah;عبد الصمد|Abdessamad/Abdessamed;عبد الحق|Abdelhak/Abdelhaq;\
عبد الرحيم|Abderrahim/Abderahim;عبد الغني|Abdelghani/Abdelghany;عبد اللطيف|Abdellatif/Abdelatif;\
خالد|Khalid/Khaled;رشيد|Rachid/Rashid/Rachide;سعيد|Said/Saïd/Saeed;مصطفى|Mustapha/Mostafa/Moustapha;\
حمزة|Hamza/Hamzah;أيوب/ايوب|Ayoub/Ayoube/Ayyoub;زكرياء/زكريا|Zakaria/Zakariya/Zakariae;أنس/انس|Anas/Annas;\
آدم/ادم|Adam/Adame;إلياس/الياس|Ilyas/Ilias/Elias;ياسين|Yassine/Yacine/Yasine;مهدي|Mehdi/Mahdi;\
أمين/امين|Amine/Amin;بلال|Bilal/Bellal;سفيان|Soufiane/Sofiane/Sufyan;أسامة/اسامة|Oussama/Ousama/Usama;\
إدريس/ادريس|Driss/Idriss/Idris;عثمان|Othmane/Otmane/Outhmane;نبيل|Nabil/Nabile;كريم|Karim/Kareem;\
هشام|Hicham/Hisham;جمال|Jamal/Jamale/Djamal;عادل|Adil/Adel;طارق|Tarik/Tariq/Tarek;نور الدين|Noureddine/Nourdine/Nour-Eddine;\
صلاح الدين|Salaheddine/Salah-Eddine;بدر|Badr/Badre;منير|Mounir/Munir;هاشم|Hachem/Hashim;\
عماد|Imad/Imade;فؤاد|Fouad/Fuad;مراد|Mourad/Murad;نوفل|Nawfal/Noufal;وليد|Walid/Oualid;\
زهير|Zouhair/Zuhair/Zouheir;سليمان|Slimane/Soulaimane/Souleymane;عزيز|Aziz/Azize;العربي|Larbi/Arbi;\
المختار/مختار|Mokhtar/Mukhtar;الحسن|Lahcen/Lhassan/Lahsen;الحسين|Lhoussaine/Lhoucine/Lhoussine;\
محسن|Mohcine/Mohsine/Mohsin;ياسر|Yasser/Yassir;رضا|Reda/Rida/Ridha;أنور/انور|Anouar/Anwar;\
سلمان|Salmane/Salman;مروان|Marouane/Marwane/Marwan;أيمن/ايمن|Aymane/Ayman/Aimane;رياض|Riad/Ryad/Riyad;\
حميد|Hamid/Hmid;الطيب/طيب|Taib/Tayeb/Tayyib;الصديق|Seddik/Siddiq;عبد الهادي|Abdelhadi/Abdelhady;\
عبد المجيد|Abdelmajid/Abdelmajide;عبد الواحد|Abdelouahed/Abdelwahed;الهادي|Hadi/Lhadi;\
إسحاق/اسحاق|Ishak/Ishaq;يونس|Younes/Younness/Yunus;جواد|Jaouad/Jawad;توفيق|Taoufik/Toufik/Tawfiq;\
شعيب|Chouaib/Chouaïb/Shuaib;سهيل|Souhail/Suhail;أشرف/اشرف|Achraf/Ashraf;إسلام/اسلام|Islam/Isslam;\
وائل|Wail/Wael;معاذ|Mouad/Moad/Muadh;ريان|Rayane/Rayan/Ryane;نزار|Nizar/Nizare;عصام|Issam/Essam;\
فيصل|Faycal/Fayssal/Faisal;هارون|Haroun/Harun;بوشعيب|Bouchaib/Bouchaïb;العياشي|Layachi/Ayachi;\
الميلودي|Miloudi/Lmiloudi;المهدي|Lmahdi/El Mehdi;عبد السلام|Abdeslam/Abdessalam;عبد القادر|Abdelkader/Abdelkadir;\
ميمون|Maimoun/Mimoun;موحا|Moha/Mouha;عمرو|Amr/Amrou;سامي|Sami/Samy;زياد|Ziad/Ziyad;\
كمال|Kamal/Kamel;نعيم|Naim/Naïm;عبد الفتاح|Abdelfattah/Abdelfatah;حمادي|Hamadi/Hammadi;\
الغالي|Ghali/Lghali;بنعيسى|Benaissa/Ben Aissa;أكرم/اكرم|Akram/Akrame";

/// Girls' given names.
const FEMALE: &str = "فاطمة/فاطمه|Fatima/Fatema/Fatma/Fadma;خديجة|Khadija/Khadidja/Khadeeja;مريم|Meryem/Maryam/Mariam;\
عائشة/عايشة|Aicha/Aïcha/Aisha;زينب|Zineb/Zaynab/Zeineb;سلمى|Salma/Selma;هاجر|Hajar/Hajer;\
سارة/ساره|Sara/Sarah;نور|Nour/Noor;إيمان/ايمان|Imane/Iman/Imen;أسماء/اسماء|Asmae/Asmaa/Asma;\
حنان|Hanane/Hanan;نادية|Nadia/Nadya;سعاد|Souad/Suad;لطيفة|Latifa/Latefa;رشيدة|Rachida/Rashida;\
نعيمة|Naima/Naïma;مليكة|Malika/Malikka;حليمة|Halima/Haleema;زهرة/الزهرة|Zahra/Zohra/Zahrae;\
فاطمة الزهراء|Fatima-Zahra/Fatima Zahra/Fatimzahra;سكينة|Soukaina/Soukayna/Sukaina;هدى|Houda/Huda;\
وفاء|Wafae/Wafaa/Oufae;كوثر|Kaoutar/Kawtar/Kawthar;شيماء|Chaimae/Chaima/Shaimaa;ياسمين|Yasmine/Yassmine/Jasmine;\
إكرام/اكرام|Ikram/Ikrame;دعاء|Douae/Doua/Duaa;آية/اية|Aya/Ayah;رانية|Rania/Ranya;هبة|Hiba/Heba;\
لبنى|Loubna/Lubna;نجاة|Najat/Najate;سميرة|Samira/Sameera;كريمة|Karima/Kareema;بشرى|Bouchra/Bushra;\
ليلى|Leila/Laila/Layla;أمينة/امينة|Amina/Aminata;صفاء|Safae/Safaa;منى|Mouna/Mona/Muna;\
غيثة|Ghita/Ghyta;جميلة|Jamila/Djamila;رقية|Rokaya/Ruqaya/Rkia;ربيعة|Rabia/Rbia;\
عزيزة|Aziza/Azeeza;حياة|Hayat/Hayate;سهام|Siham/Sihame;وئام|Wiam/Ouiam;إلهام/الهام|Ilham/Ilhame;\
أميمة/اميمة|Oumaima/Oumayma/Umaima;نسرين|Nisrine/Nesrine;ابتسام|Ibtissam/Ibtissame;فدوى|Fadwa/Fadoua;\
سناء|Sanaa/Sana;رحمة|Rahma/Rahmah;ملاك|Malak/Malake;جنى|Jana/Janna;لينا|Lina/Leena;\
نهيلة|Nouhaila/Nouhayla/Nuhaila;إيناس/ايناس|Inas/Ines/Inasse;حفصة|Hafsa/Hafssa;أسية/اسية|Assia/Asiya;\
مروة|Marwa/Meroua;رجاء|Rajae/Rajaa;سلوى|Salwa/Saloua;ثورية|Touria/Thouria/Tourya;زكية|Zakia/Zakiya;\
فتيحة|Fatiha/Fatyha;خدوج|Khadouj/Khdouj;يامنة|Yamna/Yamina;عتيقة|Atika/Atiqa;السعدية|Saadia/Sadia;\
الضاوية|Daouia/Dawia;حادة|Hadda/Hada;إنصاف/انصاف|Insaf/Inssaf;شروق|Chourouk/Shorouq;\
ريم|Rim/Reem;دنيا|Dounia/Donia/Dunya;سلسبيل|Salsabil/Salsabile;تسنيم|Tasnim/Tasneem;\
بثينة|Boutaina/Bouthaina/Buthaina;أمل/امل|Amal/Amale;نوال|Naoual/Nawal;حسناء|Hasnae/Hasna;\
مونية|Mounia/Munia;سمية|Soumia/Soumaya/Sumaya;جيهان|Jihane/Jihan;نجوى|Najwa/Najoua;\
وداد|Widad/Ouidad;لمياء|Lamyae/Lamia/Lamiaa;إسراء/اسراء|Israe/Israa/Issrae;فرح|Farah/Farrah;\
ميساء|Maissae/Maysaa;عفاف|Afaf/Afafe;كنزة|Kenza/Kinza;نزهة|Nezha/Nuzha;زهور|Zhor/Zouhour;\
تودة|Touda/Tuda;إيطو/ايطو|Itto/Ito;يطو|Ytto/Yetto;خيرة|Khira/Kheira;شامة|Chama/Chamma;\
بهيجة|Bahija/Bahiga;مليكة الزهراء|Malika-Zahra/Malika Zahra;أسيل/اسيل|Assil/Asil;\
هند|Hind/Hinde;غزلان|Ghizlane/Ghizlan;يسرى|Yousra/Yusra;رزان|Razane/Razan";

/// Family names.
const FAMILY: &str = "الإدريسي/الادريسي/ادريسي|El Idrissi/Idrissi/Drissi/Elidrissi;العلوي/علوي|El Alaoui/Alaoui/Lalaoui;\
بناني|Bennani/Benani;التازي/تازي|Tazi/Ettazi;الفاسي/فاسي|El Fassi/Fassi/Elfassi;برادة|Berrada/Berada;\
الشرقاوي/شرقاوي|Cherkaoui/Charkaoui/Echcharkaoui;الصقلي|Sqalli/Skalli/Seqalli;الكتاني/كتاني|Kettani/El Kettani/Kattani;\
بنجلون|Benjelloun/Ben Jelloun/Bengelloun;التويمي|Touimi/Ettouimi;الوزاني/وزاني|Ouazzani/El Ouazzani/Wazzani;\
المنصوري/منصوري|El Mansouri/Mansouri/Elmansouri;الحسني/حسني|El Hassani/Hassani/Lahsani;العمراني/عمراني|El Amrani/Amrani/Lamrani;\
الزياني/زياني|Zayani/Ziani/Ezzayani;الرحماني/رحماني|Rahmani/Errahmani;بوزيدي|Bouzidi/Bouzidy;\
بنعلي/بن علي|Benali/Ben Ali;بنموسى/بن موسى|Benmoussa/Ben Moussa;بن عبد الله/بنعبد الله|Benabdellah/Ben Abdellah;\
الأزهري/الازهري|Azhari/El Azhari/Lazhari;الكبير|El Kbir/Kebir/Lakbir;الصغير|Sghir/Esseghir/Saghir;\
أوعلي/اوعلي|Ouali/Oualli/Ou Ali;أيت علي/ايت علي|Ait Ali/Aït Ali;أيت بها|Ait Baha/Aitbaha;أوحمو|Ouhammou/Ouhamou;\
أمزيان/امزيان|Amezian/Amziane/Mezian;أخياط/اخياط|Akhiat/Akhyat;أيت الحاج|Ait Lhaj/Ait El Haj;بوعزة|Bouazza/Bouaza;\
الخطابي|Khattabi/El Khattabi;المرابط|Mrabet/El Mrabet;الريفي|Rifi/Errifi;السوسي/سوسي|Soussi/Essoussi;\
الدكالي|Doukkali/Dokkali;الشاوي|Chaoui/Echaoui;الغربي|Gharbi/El Gharbi/Lgharbi;الحمري|Hamri/Lahmri;\
الزموري|Zemmouri/Zammouri;الزعري|Zaari/Ezzaari;المسفيوي|Msefioui/Messfioui;الروداني|Roudani/Erroudani;\
التطواني|Tetouani/Ettetouani;الطنجاوي|Tanjaoui/Ettanjaoui;المكناسي|Meknassi/Mekenassi;الرباطي|Ribati/Rbati;\
السلاوي|Slaoui/Sellaoui;البيضاوي|Bidaoui/El Bidaoui;المراكشي|Marrakchi/El Marrakchi;الوجدي|Oujdi/Ouajdi;\
بلحاج/بالحاج|Belhaj/Bel Haj/Belhadj;بلقاسم|Belkacem/Belkassem;بنسعيد|Bensaid/Ben Said;بنشقرون|Benchekroun/Ben Chekroun;\
بنكيران|Benkirane/Ben Kirane;بوطالب|Boutaleb/Bou Taleb;بوعياد|Bouayad/Bouaiad;بوشعيب|Bouchaib/Bouchaïb;\
حجي|Hajji/Hadji;حداد|Haddad/Hadad;حمدوشي|Hamdouchi/Hemdouchi;خليفي|Khalifi/Khelifi;\
رحالي|Rahali/Rhali;زروالي|Zerouali/Zeroual;سباعي|Sebbai/Sbai/Sebai;شفيق|Chafik/Chafiq/Shafiq;\
صابر|Saber/Sabir;ضريف|Darif/Dariff;طاهري|Taheri/Tahiri;عزوزي|Azzouzi/Azouzi;عطار|Attar/El Attar;\
غزالي|Ghazali/El Ghazali;فتحي|Fathi/Fethi;قادري|Kadiri/Qadiri;كريمي|Karimi/Krimi;لحلو|Lahlou/Lahlu;\
مجاهد|Moujahid/Mujahid;مساعد|Mesaad/Messaad;نجاري|Najjari/Nejjari;هلالي|Hilali/Hillali/El Hilali;\
وهبي|Ouahbi/Wahbi;يعقوبي|Yacoubi/Yaakoubi/Yaqoubi;الأندلسي/الاندلسي|Andaloussi/El Andaloussi;\
الجبلي|Jebli/Jbili/El Jebli;الحيحي|Hihi/Lhihi;الخلوفي|Khaloufi/Kheloufi;الدرقاوي|Derkaoui/Darkaoui;\
الراضي|Radi/Erradi;الزاهيري|Zahiri/Zahiry;السملالي|Semlali/Smlali;الشامي|Chami/Echami;\
الصالحي|Salhi/Essalhi;الطالبي|Talbi/Ettalbi;العبدلاوي|Abdellaoui/Abdelaoui;الغماري|Ghomari/Ghmari;\
الفيلالي|Filali/El Filali;القاسمي|Kasmi/Qasmi;الكرماوي|Kermaoui/Karmaoui;اللمطي|Lamti/Lemti;\
الناصري|Naciri/Nasiri/Ennaciri;الهواري|Houari/Hawari/El Houari;الوافي|Ouafi/Wafi;اليزيدي|Yazidi/Lyazidi;\
أبركان/ابركان|Aberkane/Abarkan;أزناك/ازناك|Aznag/Aznak;أشهبار/اشهبار|Achahbar/Ashahbar;أقضاض|Akdad/Aqdad;\
أكنوش/اكنوش|Akannouch/Aknouch;أمغار/امغار|Amghar/Amghare;أنوار/انوار|Anouar/Anwar;أوبلا|Oubella/Oubela;\
إفقيرن/افقيرن|Ifkirne/Ifqirn;بوكريم|Boukrim/Boukarim;بولحية|Boulahya/Boulahia;بومهدي|Boumahdi/Boumehdi;\
تاشفيني|Tachfini/Tachefini;جلال|Jalal/Djalal;حموشي|Hammouchi/Hamouchi;خرباش|Kharbach/Kherbach;\
دحمان|Dahmane/Dahman;رزوق|Rezzouk/Razzouk;زكري|Zekri/Zakri;سرغيني|Sarghini/Serghini;\
شكري|Chokri/Choukri/Shukri;صبري|Sabri/Sabry;طويل|Touil/Ettouil;عسري|Asri/Essri;علمي|Alami/El Alami/Lalami;\
غيلان|Ghailan/Ghilane;فرحات|Farhat/Ferhat;قباج|Kabbaj/Qabbaj;كنوني|Kenouni/Kanouni;لمريني|Lamrini/Merini;\
محفوظ|Mahfoud/Mahfoudh;مكاوي|Mekkaoui/Makkaoui;نعماني|Naamani/Nemani;هراس|Harras/Herras;\
ورياغلي|Ouriaghli/Wariaghli;يحياوي|Yahyaoui/Yahiaoui;بركاني|Berkani/Barkani;حمداوي|Hamdaoui/Hemdaoui;\
دريوش|Driouch/Driouech;زرهوني|Zerhouni/Zarhouni;سلامي|Slami/Sellami/Salami;شرايبي|Chraibi/Cheraibi;\
عراقي|Iraqi/Iraki/El Iraki;فهري|Fehri/Fihri/El Fihri;كوهن|Cohen/Kohen;مزوار|Mezouar/Mazouar;\
ناجي|Naji/Nagi;وردي|Ouardi/Wardi;بوستة|Boucetta/Bousetta;تمسماني|Temsamani/Tamsamani;\
جزولي|Jazouli/Gazouli/El Jazouli;حكيمي|Hakimi/Hakimy;زياتي|Ziati/Zyati;صفريوي|Sefrioui/Safrioui;\
عمور|Ammour/Amour;فاضيلي|Fadili/Fadily;قرشي|Korchi/Qorchi;كدار|Kaddar/Kadar;مرنيسي|Mernissi/Marnissi;\
نوري|Nouri/Nuri;يوسفي|Youssoufi/Yousfi/Youssefi";

/// A name with its spellings: Arabic variants first, then Latin ones; the first of each is the
/// usual spelling.
#[derive(Debug, Clone)]
pub struct Name {
    pub arabic: Vec<&'static str>,
    pub latin: Vec<&'static str>,
}

fn parse(list: &'static str) -> Vec<Name> {
    list.split(';')
        .filter_map(|entry| {
            let (ar, lat) = entry.trim().split_once('|')?;
            Some(Name {
                arabic: ar.split('/').map(str::trim).collect(),
                latin: lat.split('/').map(str::trim).collect(),
            })
        })
        .collect()
}

/// The three lists, parsed once.
pub struct Names {
    pub male: Vec<Name>,
    pub female: Vec<Name>,
    pub family: Vec<Name>,
}

impl Names {
    pub fn new() -> Names {
        Names {
            male: parse(MALE),
            female: parse(FEMALE),
            family: parse(FAMILY),
        }
    }
}

impl Default for Names {
    fn default() -> Names {
        Names::new()
    }
}

/// Picks a popular name more often: the first names of a list are the commonest (a Zipf-like
/// weight, 1/(rank+3)).
pub fn pick<'a, R: Rng>(rng: &mut R, list: &'a [Name]) -> &'a Name {
    &list[pick_index(rng, list.len())]
}

/// The index of a name in a list of `len`, popular ones more often (a squared uniform).
pub fn pick_index<R: Rng>(rng: &mut R, len: usize) -> usize {
    let u: f64 = rng.gen();
    (((u * u) * len as f64) as usize).min(len.saturating_sub(1))
}

/// One spelling: the usual one most of the time, a variant otherwise.
pub fn spelling<R: Rng>(rng: &mut R, variants: &[&'static str]) -> &'static str {
    if variants.len() > 1 && rng.gen_bool(0.35) {
        variants[rng.gen_range(1..variants.len())]
    } else {
        variants[0]
    }
}

/// A misspelling for a search: a variant when there is one, else the name with one letter
/// doubled (how a hurried hand writes it).
pub fn misspelled(variants: &[&'static str], usual: &str) -> String {
    if let Some(other) = variants.iter().find(|v| **v != usual) {
        return (*other).to_string();
    }
    let mut chars: Vec<char> = usual.chars().collect();
    if let Some(i) = chars.iter().rposition(|c| c.is_alphabetic()) {
        chars.insert(i, chars[i]);
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_lists_are_large_and_every_name_has_both_scripts() {
        let names = Names::new();
        assert!(names.male.len() >= 100, "{}", names.male.len());
        assert!(names.female.len() >= 100, "{}", names.female.len());
        assert!(names.family.len() >= 150, "{}", names.family.len());
        for name in names.male.iter().chain(&names.female).chain(&names.family) {
            assert!(!name.arabic.is_empty() && !name.latin.is_empty());
            assert!(
                name.arabic
                    .iter()
                    .all(|a| a.chars().any(|c| ('\u{0600}'..='\u{06ff}').contains(&c))),
                "{name:?}"
            );
            assert!(
                name.latin.iter().all(|l| l
                    .chars()
                    .all(|c| !('\u{0600}'..='\u{06ff}').contains(&c))
                    && !l.is_empty()),
                "{name:?}"
            );
        }
    }

    #[test]
    fn spellings_vary_and_misspellings_differ() {
        let names = Names::new();
        let mohamed = &names.male[0];
        assert_eq!(mohamed.latin[0], "Mohamed");
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let seen: std::collections::HashSet<_> = (0..200)
            .map(|_| spelling(&mut rng, &mohamed.latin))
            .collect();
        assert!(seen.len() >= 3 && seen.contains("Mohamed"));
        assert_eq!(misspelled(&mohamed.latin, "Mohamed"), "Mohammed");
        assert_ne!(misspelled(&["Hind"], "Hind"), "Hind");
    }

    #[test]
    fn popular_names_come_first() {
        let names = Names::new();
        let mut rng = rand::rngs::StdRng::seed_from_u64(9);
        let first = (0..10_000)
            .filter(|_| std::ptr::eq(pick(&mut rng, &names.male), &names.male[0]))
            .count();
        assert!(first > 500, "{first}");
    }
}
