//! Fixed reference data the synthetic records are drawn from: branches, insurers, drugs, lab
//! tests, conditions with their ICD-10 codes, names and addresses. Real code systems (ICD-10,
//! LOINC) and real Thai place names; the people are invented.

pub(crate) struct Branch {
    pub code: &'static str,
    pub hcode: &'static str,
    pub name_th: &'static str,
    pub name_en: &'static str,
    pub phone: &'static str,
    pub email: &'static str,
    pub address_line: &'static str,
    pub place: Place,
    /// Doctors working at the branch.
    pub doctors: usize,
    /// Relative share of the patients registered at the branch.
    pub patient_weight: u32,
}

/// A sub-district with the district, province and postal code it belongs to.
#[derive(Clone, Copy)]
pub(crate) struct Place {
    pub sub_district: &'static str,
    pub district: &'static str,
    pub province: &'static str,
    pub postal_code: &'static str,
}

const fn place(
    sub_district: &'static str,
    district: &'static str,
    province: &'static str,
    postal_code: &'static str,
) -> Place {
    Place { sub_district, district, province, postal_code }
}

pub(crate) const BRANCHES: [Branch; 4] = [
    Branch {
        code: "BKK-SKV",
        hcode: "24071",
        name_th: "คลินิกเวชกรรมสุขภาพดี สาขาสุขุมวิท",
        name_en: "Sukhapapdee Medical Clinic, Sukhumvit",
        phone: "021234567",
        email: "sukhumvit@clinic.example",
        address_line: "88/8 ซอยสุขุมวิท 21 ถนนสุขุมวิท",
        place: place("คลองเตยเหนือ", "วัฒนา", "กรุงเทพมหานคร", "10110"),
        doctors: 17,
        patient_weight: 35,
    },
    Branch {
        code: "BKK-LPR",
        hcode: "24072",
        name_th: "คลินิกเวชกรรมสุขภาพดี สาขาลาดพร้าว",
        name_en: "Sukhapapdee Medical Clinic, Lat Phrao",
        phone: "029301122",
        email: "latphrao@clinic.example",
        address_line: "1550 ถนนลาดพร้าว",
        place: place("จอมพล", "จตุจักร", "กรุงเทพมหานคร", "10900"),
        doctors: 14,
        patient_weight: 30,
    },
    Branch {
        code: "CNX-NMH",
        hcode: "24073",
        name_th: "คลินิกเวชกรรมสุขภาพดี สาขาเชียงใหม่",
        name_en: "Sukhapapdee Medical Clinic, Chiang Mai",
        phone: "053221234",
        email: "chiangmai@clinic.example",
        address_line: "12 ถนนนิมมานเหมินท์",
        place: place("สุเทพ", "เมืองเชียงใหม่", "เชียงใหม่", "50200"),
        doctors: 11,
        patient_weight: 20,
    },
    Branch {
        code: "KKN-MNG",
        hcode: "24074",
        name_th: "คลินิกเวชกรรมสุขภาพดี สาขาขอนแก่น",
        name_en: "Sukhapapdee Medical Clinic, Khon Kaen",
        phone: "043245678",
        email: "khonkaen@clinic.example",
        address_line: "199 ถนนมิตรภาพ",
        place: place("ในเมือง", "เมืองขอนแก่น", "ขอนแก่น", "40000"),
        doctors: 8,
        patient_weight: 15,
    },
];

/// Where each branch's patients live, by branch index.
pub(crate) const PATIENT_PLACES: [&[Place]; 4] = [
    &[
        place("คลองเตยเหนือ", "วัฒนา", "กรุงเทพมหานคร", "10110"),
        place("คลองตันเหนือ", "วัฒนา", "กรุงเทพมหานคร", "10110"),
        place("พระโขนงเหนือ", "วัฒนา", "กรุงเทพมหานคร", "10110"),
        place("คลองเตย", "คลองเตย", "กรุงเทพมหานคร", "10110"),
        place("ลุมพินี", "ปทุมวัน", "กรุงเทพมหานคร", "10330"),
        place("สีลม", "บางรัก", "กรุงเทพมหานคร", "10500"),
        place("บางจาก", "พระโขนง", "กรุงเทพมหานคร", "10260"),
        place("บางนาเหนือ", "บางนา", "กรุงเทพมหานคร", "10260"),
        place("สวนหลวง", "สวนหลวง", "กรุงเทพมหานคร", "10250"),
        place("ปากน้ำ", "เมืองสมุทรปราการ", "สมุทรปราการ", "10270"),
        place("บางพลีใหญ่", "บางพลี", "สมุทรปราการ", "10540"),
    ],
    &[
        place("จอมพล", "จตุจักร", "กรุงเทพมหานคร", "10900"),
        place("ลาดยาว", "จตุจักร", "กรุงเทพมหานคร", "10900"),
        place("จันทรเกษม", "จตุจักร", "กรุงเทพมหานคร", "10900"),
        place("สามเสนใน", "พญาไท", "กรุงเทพมหานคร", "10400"),
        place("ดินแดง", "ดินแดง", "กรุงเทพมหานคร", "10400"),
        place("ห้วยขวาง", "ห้วยขวาง", "กรุงเทพมหานคร", "10310"),
        place("คลองจั่น", "บางกะปิ", "กรุงเทพมหานคร", "10240"),
        place("ท่าแร้ง", "บางเขน", "กรุงเทพมหานคร", "10220"),
        place("บางกระสอ", "เมืองนนทบุรี", "นนทบุรี", "11000"),
        place("ปากเกร็ด", "ปากเกร็ด", "นนทบุรี", "11120"),
        place("คลองหนึ่ง", "คลองหลวง", "ปทุมธานี", "12120"),
        place("ประตูชัย", "พระนครศรีอยุธยา", "พระนครศรีอยุธยา", "13000"),
    ],
    &[
        place("สุเทพ", "เมืองเชียงใหม่", "เชียงใหม่", "50200"),
        place("ศรีภูมิ", "เมืองเชียงใหม่", "เชียงใหม่", "50200"),
        place("ช้างเผือก", "เมืองเชียงใหม่", "เชียงใหม่", "50300"),
        place("หนองหอย", "เมืองเชียงใหม่", "เชียงใหม่", "50000"),
        place("สันทรายน้อย", "สันทราย", "เชียงใหม่", "50210"),
        place("หางดง", "หางดง", "เชียงใหม่", "50230"),
        place("เวียง", "เมืองเชียงราย", "เชียงราย", "57000"),
        place("เวียง", "เมืองลำพูน", "ลำพูน", "51000"),
    ],
    &[
        place("ในเมือง", "เมืองขอนแก่น", "ขอนแก่น", "40000"),
        place("ศิลา", "เมืองขอนแก่น", "ขอนแก่น", "40000"),
        place("บ้านเป็ด", "เมืองขอนแก่น", "ขอนแก่น", "40000"),
        place("หมากแข้ง", "เมืองอุดรธานี", "อุดรธานี", "41000"),
        place("ในเมือง", "เมืองนครราชสีมา", "นครราชสีมา", "30000"),
        place("ตลาด", "เมืองมหาสารคาม", "มหาสารคาม", "44000"),
    ],
];

pub(crate) const STREETS_BANGKOK: [&str; 8] = [
    "ซอยสุขุมวิท 31",
    "ซอยลาดพร้าว 71",
    "ถนนพหลโยธิน",
    "ซอยรัชดาภิเษก 36",
    "ถนนเพชรบุรีตัดใหม่",
    "ซอยอ่อนนุช 17",
    "ถนนวิภาวดีรังสิต",
    "ซอยพัฒนาการ 20",
];

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    Ucs,
    Sss,
    Ofc,
    Lgo,
    Private,
}

impl Scheme {
    pub fn code(self) -> &'static str {
        match self {
            Scheme::Ucs => "UCS",
            Scheme::Sss => "SSS",
            Scheme::Ofc => "OFC",
            Scheme::Lgo => "LGO",
            Scheme::Private => "PRIVATE",
        }
    }
}

pub(crate) struct Insurer {
    pub code: &'static str,
    pub name_th: &'static str,
    pub name_en: &'static str,
    pub government: bool,
    pub phone: &'static str,
    pub scheme: Scheme,
    pub plan_name: &'static str,
}

pub(crate) const INSURERS: [Insurer; 6] = [
    Insurer {
        code: "NHSO",
        name_th: "สำนักงานหลักประกันสุขภาพแห่งชาติ",
        name_en: "National Health Security Office",
        government: true,
        phone: "1330",
        scheme: Scheme::Ucs,
        plan_name: "สิทธิหลักประกันสุขภาพแห่งชาติ (บัตรทอง)",
    },
    Insurer {
        code: "SSO",
        name_th: "สำนักงานประกันสังคม",
        name_en: "Social Security Office",
        government: true,
        phone: "1506",
        scheme: Scheme::Sss,
        plan_name: "สิทธิประกันสังคม",
    },
    Insurer {
        code: "CGD",
        name_th: "กรมบัญชีกลาง",
        name_en: "Comptroller General's Department",
        government: true,
        phone: "022706400",
        scheme: Scheme::Ofc,
        plan_name: "สิทธิข้าราชการ (เบิกจ่ายตรง)",
    },
    Insurer {
        code: "DLA",
        name_th: "กรมส่งเสริมการปกครองท้องถิ่น",
        name_en: "Department of Local Administration",
        government: true,
        phone: "022419000",
        scheme: Scheme::Lgo,
        plan_name: "สิทธิข้าราชการส่วนท้องถิ่น (อปท.)",
    },
    Insurer {
        code: "SIAMLIFE",
        name_th: "บริษัท สยามประกันชีวิต จำกัด (มหาชน)",
        name_en: "Siam Life Assurance PCL",
        government: false,
        phone: "026461234",
        scheme: Scheme::Private,
        plan_name: "OPD Care 1,500",
    },
    Insurer {
        code: "CHAOPHRAYA",
        name_th: "บริษัท เจ้าพระยาประกันภัย จำกัด (มหาชน)",
        name_en: "Chao Phraya Insurance PCL",
        government: false,
        phone: "027891234",
        scheme: Scheme::Private,
        plan_name: "Health Plus OPD 2,000",
    },
];

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    Tablet,
    Capsule,
    Syrup,
    Suspension,
    Sachet,
    Cream,
    Gel,
    Ointment,
    Lotion,
    Inhaler,
}

impl Form {
    pub fn dosage_form(self) -> &'static str {
        match self {
            Form::Tablet => "tablet",
            Form::Capsule => "capsule",
            Form::Syrup => "syrup",
            Form::Suspension => "oral suspension",
            Form::Sachet => "powder for oral solution",
            Form::Cream => "cream",
            Form::Gel => "gel",
            Form::Ointment => "ointment",
            Form::Lotion => "lotion",
            Form::Inhaler => "inhalation aerosol",
        }
    }

    pub fn dispense_unit(self) -> &'static str {
        match self {
            Form::Tablet => "tablet",
            Form::Capsule => "capsule",
            Form::Syrup | Form::Suspension | Form::Lotion => "bottle",
            Form::Sachet => "sachet",
            Form::Cream | Form::Gel | Form::Ointment => "tube",
            Form::Inhaler => "inhaler",
        }
    }

    pub fn dose_unit(self) -> &'static str {
        match self {
            Form::Tablet => "tablet",
            Form::Capsule => "capsule",
            Form::Syrup | Form::Suspension => "mL",
            Form::Sachet => "sachet",
            Form::Cream | Form::Gel | Form::Ointment | Form::Lotion => "application",
            Form::Inhaler => "puff",
        }
    }

    pub fn route(self) -> &'static str {
        match self {
            Form::Tablet | Form::Capsule | Form::Syrup | Form::Suspension | Form::Sachet => "PO",
            Form::Cream | Form::Gel | Form::Ointment | Form::Lotion => "TOP",
            Form::Inhaler => "INH",
        }
    }

    /// Liquids, topicals and inhalers: what a child who cannot swallow tablets is given.
    pub fn suits_young_children(self) -> bool {
        !matches!(self, Form::Tablet | Form::Capsule)
    }

    /// Whether a dispensed unit is a single dose (a tablet), not a container (a bottle).
    pub fn counted_per_dose(self) -> bool {
        matches!(self, Form::Tablet | Form::Capsule | Form::Sachet)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Frequency {
    Od,
    Bid,
    Tid,
    Qid,
    Hs,
    Prn,
    Stat,
}

impl Frequency {
    pub fn code(self) -> &'static str {
        match self {
            Frequency::Od => "OD",
            Frequency::Bid => "BID",
            Frequency::Tid => "TID",
            Frequency::Qid => "QID",
            Frequency::Hs => "HS",
            Frequency::Prn => "PRN",
            Frequency::Stat => "STAT",
        }
    }

    /// Doses a day used to count tablets; a PRN supply assumes up to three a day.
    pub fn doses_per_day(self) -> u32 {
        match self {
            Frequency::Od | Frequency::Hs => 1,
            Frequency::Bid => 2,
            Frequency::Tid | Frequency::Prn => 3,
            Frequency::Qid => 4,
            Frequency::Stat => 0,
        }
    }

    pub fn sig_th(self) -> &'static str {
        match self {
            Frequency::Od => "วันละ 1 ครั้ง",
            Frequency::Bid => "วันละ 2 ครั้ง เช้า-เย็น",
            Frequency::Tid => "วันละ 3 ครั้ง เช้า กลางวัน เย็น",
            Frequency::Qid => "วันละ 4 ครั้ง เช้า กลางวัน เย็น และก่อนนอน",
            Frequency::Hs => "ก่อนนอน",
            Frequency::Prn => "เมื่อมีอาการ ห่างกันอย่างน้อย 4-6 ชั่วโมง",
            Frequency::Stat => "ครั้งเดียวทันที",
        }
    }
}

/// When an oral drug is taken relative to meals.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Meal {
    After,
    Before,
    Any,
}

pub(crate) struct Drug {
    pub code: &'static str,
    pub generic_name: &'static str,
    pub trade_name: Option<&'static str>,
    pub strength: &'static str,
    pub form: Form,
    pub price_satang: i64,
    /// The usual single dose, in the form's dose unit.
    pub dose: u32,
    pub frequency: Frequency,
    pub meal: Meal,
    /// The usual course for an acute illness; chronic drugs are given for 30-90 days.
    pub days: u32,
}

#[allow(clippy::too_many_arguments)] // one positional line per drug keeps the table readable
const fn drug(
    code: &'static str,
    generic_name: &'static str,
    trade_name: Option<&'static str>,
    strength: &'static str,
    form: Form,
    price_satang: i64,
    dose: u32,
    frequency: Frequency,
    meal: Meal,
    days: u32,
) -> Drug {
    Drug { code, generic_name, trade_name, strength, form, price_satang, dose, frequency, meal, days }
}

use Form::{Capsule, Cream, Gel, Inhaler, Lotion, Ointment, Sachet, Suspension, Syrup, Tablet};
use Frequency::{Bid, Hs, Od, Prn, Qid, Stat, Tid};
use Meal::{After, Any, Before};

#[rustfmt::skip]
pub(crate) const DRUGS: [Drug; 106] = [
    // Analgesics, antipyretics, NSAIDs, muscle relaxants
    drug("PARA500", "Paracetamol 500 mg tablet", Some("Sara"), "500 mg", Tablet, 100, 1, Prn, Any, 5),
    drug("PARA120S", "Paracetamol 120 mg/5 mL syrup", Some("Tempra"), "120 mg/5 mL", Syrup, 3500, 5, Prn, Any, 5),
    drug("IBU400", "Ibuprofen 400 mg tablet", Some("Brufen"), "400 mg", Tablet, 200, 1, Tid, After, 5),
    drug("IBU100S", "Ibuprofen 100 mg/5 mL suspension", None, "100 mg/5 mL", Suspension, 4500, 5, Tid, After, 3),
    drug("DICLO25", "Diclofenac sodium 25 mg tablet", Some("Voltaren"), "25 mg", Tablet, 150, 1, Tid, After, 5),
    drug("NAPRO250", "Naproxen 250 mg tablet", None, "250 mg", Tablet, 250, 1, Bid, After, 7),
    drug("MEFEN250", "Mefenamic acid 250 mg capsule", Some("Ponstan"), "250 mg", Capsule, 150, 2, Tid, After, 3),
    drug("CELE200", "Celecoxib 200 mg capsule", Some("Celebrex"), "200 mg", Capsule, 1200, 1, Od, After, 7),
    drug("ETORI90", "Etoricoxib 90 mg tablet", Some("Arcoxia"), "90 mg", Tablet, 2500, 1, Od, After, 7),
    drug("TRAM50", "Tramadol 50 mg capsule", None, "50 mg", Capsule, 300, 1, Prn, After, 5),
    drug("NORG", "Orphenadrine 35 mg + Paracetamol 450 mg tablet", Some("Norgesic"), "35 mg/450 mg", Tablet, 400, 1, Tid, After, 5),
    drug("TOLP50", "Tolperisone 50 mg tablet", Some("Mydocalm"), "50 mg", Tablet, 500, 1, Tid, After, 7),
    drug("METHO500", "Methocarbamol 500 mg tablet", None, "500 mg", Tablet, 200, 1, Tid, After, 5),
    drug("DICLOGEL", "Diclofenac diethylammonium 1.16% gel 30 g", Some("Voltaren Emulgel"), "1.16%", Gel, 12000, 1, Tid, Any, 7),
    drug("MSBALM", "Methyl salicylate 15% cream 25 g", None, "15%", Cream, 4500, 1, Bid, Any, 7),
    // Antibacterials
    drug("AMOX500", "Amoxicillin 500 mg capsule", None, "500 mg", Capsule, 300, 1, Tid, After, 7),
    drug("AMOX250S", "Amoxicillin 250 mg/5 mL suspension", None, "250 mg/5 mL", Suspension, 4500, 5, Tid, After, 7),
    drug("AUG1G", "Amoxicillin 875 mg + Clavulanic acid 125 mg tablet", Some("Augmentin"), "875 mg/125 mg", Tablet, 2800, 1, Bid, After, 7),
    drug("DICLOX250", "Dicloxacillin 250 mg capsule", None, "250 mg", Capsule, 250, 2, Qid, Before, 7),
    drug("CEPHA500", "Cephalexin 500 mg capsule", None, "500 mg", Capsule, 400, 1, Qid, Any, 7),
    drug("CEFUR250", "Cefuroxime axetil 250 mg tablet", Some("Zinnat"), "250 mg", Tablet, 2500, 1, Bid, After, 7),
    drug("AZI250", "Azithromycin 250 mg capsule", Some("Zithromax"), "250 mg", Capsule, 1500, 2, Od, Before, 3),
    drug("ROXI150", "Roxithromycin 150 mg tablet", None, "150 mg", Tablet, 500, 1, Bid, Before, 5),
    drug("CLARI500", "Clarithromycin 500 mg tablet", Some("Klacid"), "500 mg", Tablet, 2000, 1, Bid, After, 7),
    drug("DOXY100", "Doxycycline 100 mg capsule", None, "100 mg", Capsule, 200, 1, Bid, After, 7),
    drug("CIPRO500", "Ciprofloxacin 500 mg tablet", None, "500 mg", Tablet, 400, 1, Bid, After, 5),
    drug("LEVO500", "Levofloxacin 500 mg tablet", Some("Cravit"), "500 mg", Tablet, 1500, 1, Od, After, 7),
    drug("NORFX400", "Norfloxacin 400 mg tablet", None, "400 mg", Tablet, 300, 1, Bid, Before, 3),
    drug("COTRIM", "Sulfamethoxazole 400 mg + Trimethoprim 80 mg tablet", Some("Bactrim"), "400 mg/80 mg", Tablet, 150, 2, Bid, After, 5),
    drug("METRO400", "Metronidazole 400 mg tablet", Some("Flagyl"), "400 mg", Tablet, 200, 1, Tid, After, 7),
    drug("NITRO100", "Nitrofurantoin 100 mg capsule", None, "100 mg", Capsule, 800, 1, Bid, After, 5),
    drug("MUPI", "Mupirocin 2% ointment 15 g", Some("Bactroban"), "2%", Ointment, 15000, 1, Tid, Any, 7),
    // Antivirals and antifungals
    drug("ACY400", "Acyclovir 400 mg tablet", None, "400 mg", Tablet, 300, 1, Tid, Any, 7),
    drug("ACYCRM", "Acyclovir 5% cream 5 g", Some("Zovirax"), "5%", Cream, 8000, 1, Qid, Any, 5),
    drug("OSEL75", "Oseltamivir 75 mg capsule", Some("Tamiflu"), "75 mg", Capsule, 4500, 1, Bid, After, 5),
    drug("FLUCO150", "Fluconazole 150 mg capsule", None, "150 mg", Capsule, 1500, 1, Stat, Any, 1),
    drug("CLOTRI", "Clotrimazole 1% cream 15 g", Some("Canesten"), "1%", Cream, 4000, 1, Bid, Any, 14),
    drug("KETOCRM", "Ketoconazole 2% cream 10 g", Some("Nizoral"), "2%", Cream, 6000, 1, Bid, Any, 14),
    // Gastrointestinal
    drug("OMEP20", "Omeprazole 20 mg capsule", Some("Miracid"), "20 mg", Capsule, 300, 1, Od, Before, 14),
    drug("PANTO40", "Pantoprazole 40 mg tablet", Some("Controloc"), "40 mg", Tablet, 1200, 1, Od, Before, 14),
    drug("ESOM40", "Esomeprazole 40 mg tablet", Some("Nexium"), "40 mg", Tablet, 3500, 1, Od, Before, 14),
    drug("FAMO20", "Famotidine 20 mg tablet", None, "20 mg", Tablet, 150, 1, Bid, Any, 14),
    drug("DOMP10", "Domperidone 10 mg tablet", Some("Motilium"), "10 mg", Tablet, 150, 1, Tid, Before, 5),
    drug("METOC10", "Metoclopramide 10 mg tablet", Some("Plasil"), "10 mg", Tablet, 100, 1, Tid, Before, 3),
    drug("SIME80", "Simethicone 80 mg chewable tablet", Some("Air-X"), "80 mg", Tablet, 150, 1, Tid, After, 5),
    drug("ANTACID", "Aluminium hydroxide + Magnesium hydroxide suspension 240 mL", None, "240 mL", Suspension, 4000, 15, Tid, After, 7),
    drug("HYOS10", "Hyoscine butylbromide 10 mg tablet", Some("Buscopan"), "10 mg", Tablet, 250, 1, Prn, Any, 3),
    drug("LOPER2", "Loperamide 2 mg capsule", Some("Imodium"), "2 mg", Capsule, 150, 1, Prn, Any, 2),
    drug("ORS", "Oral rehydration salts sachet", None, "3.675 g", Sachet, 500, 1, Prn, Any, 3),
    drug("BISA5", "Bisacodyl 5 mg tablet", Some("Dulcolax"), "5 mg", Tablet, 100, 2, Hs, Any, 3),
    drug("SENNA", "Senna 7.5 mg tablet", None, "7.5 mg", Tablet, 100, 2, Hs, Any, 7),
    drug("LACTU", "Lactulose 10 g/15 mL oral solution 100 mL", Some("Duphalac"), "10 g/15 mL", Syrup, 9000, 15, Hs, Any, 7),
    drug("DIMEN50", "Dimenhydrinate 50 mg tablet", Some("Dramamine"), "50 mg", Tablet, 100, 1, Prn, Any, 3),
    // Respiratory and allergy
    drug("CPM4", "Chlorpheniramine maleate 4 mg tablet", None, "4 mg", Tablet, 50, 1, Tid, After, 5),
    drug("CETI10", "Cetirizine 10 mg tablet", Some("Zyrtec"), "10 mg", Tablet, 150, 1, Hs, Any, 7),
    drug("LORA10", "Loratadine 10 mg tablet", Some("Clarityne"), "10 mg", Tablet, 200, 1, Od, Any, 7),
    drug("FEXO180", "Fexofenadine 180 mg tablet", Some("Telfast"), "180 mg", Tablet, 1500, 1, Od, Any, 7),
    drug("DEXTRO15", "Dextromethorphan 15 mg tablet", None, "15 mg", Tablet, 100, 1, Tid, After, 5),
    drug("BROM8", "Bromhexine 8 mg tablet", Some("Bisolvon"), "8 mg", Tablet, 100, 1, Tid, After, 5),
    drug("AMBRO30", "Ambroxol 30 mg tablet", Some("Mucosolvan"), "30 mg", Tablet, 150, 1, Tid, After, 5),
    drug("GUAI", "Guaifenesin 100 mg/5 mL syrup 60 mL", None, "100 mg/5 mL", Syrup, 3000, 10, Tid, After, 5),
    drug("SALB", "Salbutamol 100 mcg/dose inhaler 200 doses", Some("Ventolin Evohaler"), "100 mcg/dose", Inhaler, 15000, 2, Prn, Any, 30),
    drug("SYMB160", "Budesonide 160 mcg + Formoterol 4.5 mcg/dose inhaler 120 doses", Some("Symbicort Turbuhaler"), "160 mcg/4.5 mcg", Inhaler, 90000, 2, Bid, Any, 30),
    drug("MONTE10", "Montelukast 10 mg tablet", Some("Singulair"), "10 mg", Tablet, 2000, 1, Hs, Any, 30),
    drug("PRED5", "Prednisolone 5 mg tablet", None, "5 mg", Tablet, 50, 2, Tid, After, 5),
    // Cardiovascular and lipids
    drug("AMLO5", "Amlodipine 5 mg tablet", Some("Norvasc"), "5 mg", Tablet, 150, 1, Od, Any, 30),
    drug("AMLO10", "Amlodipine 10 mg tablet", None, "10 mg", Tablet, 250, 1, Od, Any, 30),
    drug("ENAL5", "Enalapril 5 mg tablet", None, "5 mg", Tablet, 100, 1, Bid, Any, 30),
    drug("ENAL20", "Enalapril 20 mg tablet", None, "20 mg", Tablet, 200, 1, Od, Any, 30),
    drug("LOSAR50", "Losartan 50 mg tablet", Some("Cozaar"), "50 mg", Tablet, 300, 1, Od, Any, 30),
    drug("HCTZ25", "Hydrochlorothiazide 25 mg tablet", None, "25 mg", Tablet, 50, 1, Od, After, 30),
    drug("ATEN50", "Atenolol 50 mg tablet", None, "50 mg", Tablet, 100, 1, Od, Any, 30),
    drug("METOP100", "Metoprolol tartrate 100 mg tablet", Some("Betaloc"), "100 mg", Tablet, 200, 1, Bid, After, 30),
    drug("CARVE625", "Carvedilol 6.25 mg tablet", Some("Dilatrend"), "6.25 mg", Tablet, 400, 1, Bid, After, 30),
    drug("FURO40", "Furosemide 40 mg tablet", Some("Lasix"), "40 mg", Tablet, 100, 1, Od, Any, 30),
    drug("SPIRO25", "Spironolactone 25 mg tablet", Some("Aldactone"), "25 mg", Tablet, 300, 1, Od, After, 30),
    drug("SIMVA20", "Simvastatin 20 mg tablet", None, "20 mg", Tablet, 100, 1, Hs, Any, 30),
    drug("ATOR40", "Atorvastatin 40 mg tablet", Some("Lipitor"), "40 mg", Tablet, 500, 1, Hs, Any, 30),
    drug("ROSU10", "Rosuvastatin 10 mg tablet", Some("Crestor"), "10 mg", Tablet, 1500, 1, Od, Any, 30),
    drug("GEMFI600", "Gemfibrozil 600 mg tablet", None, "600 mg", Tablet, 300, 1, Bid, Before, 30),
    drug("ASA81", "Acetylsalicylic acid 81 mg tablet", Some("Aspent-M"), "81 mg", Tablet, 50, 1, Od, After, 30),
    drug("CLOPI75", "Clopidogrel 75 mg tablet", Some("Plavix"), "75 mg", Tablet, 800, 1, Od, Any, 30),
    drug("WARF3", "Warfarin sodium 3 mg tablet", Some("Orfarin"), "3 mg", Tablet, 200, 1, Hs, Any, 30),
    // Diabetes and endocrine
    drug("METF500", "Metformin 500 mg tablet", Some("Glucophage"), "500 mg", Tablet, 100, 1, Bid, After, 30),
    drug("METF850", "Metformin 850 mg tablet", None, "850 mg", Tablet, 150, 1, Bid, After, 30),
    drug("GLIP5", "Glipizide 5 mg tablet", Some("Minidiab"), "5 mg", Tablet, 100, 1, Od, Before, 30),
    drug("GLICL80", "Gliclazide 80 mg tablet", Some("Diamicron"), "80 mg", Tablet, 200, 1, Bid, Before, 30),
    drug("PIOG30", "Pioglitazone 30 mg tablet", None, "30 mg", Tablet, 500, 1, Od, Any, 30),
    drug("SITA100", "Sitagliptin 100 mg tablet", Some("Januvia"), "100 mg", Tablet, 4500, 1, Od, Any, 30),
    drug("EMPA10", "Empagliflozin 10 mg tablet", Some("Jardiance"), "10 mg", Tablet, 6000, 1, Od, Any, 30),
    drug("LEVOT50", "Levothyroxine sodium 50 mcg tablet", Some("Euthyrox"), "50 mcg", Tablet, 150, 1, Od, Before, 30),
    drug("MMI5", "Methimazole 5 mg tablet", None, "5 mg", Tablet, 150, 1, Tid, After, 30),
    drug("ALLO100", "Allopurinol 100 mg tablet", Some("Zyloric"), "100 mg", Tablet, 100, 1, Od, After, 30),
    drug("COLCH06", "Colchicine 0.6 mg tablet", None, "0.6 mg", Tablet, 150, 1, Bid, After, 7),
    // Nervous system
    drug("AMIT10", "Amitriptyline 10 mg tablet", None, "10 mg", Tablet, 50, 1, Hs, Any, 30),
    drug("LORAZ05", "Lorazepam 0.5 mg tablet", Some("Ativan"), "0.5 mg", Tablet, 150, 1, Hs, Any, 14),
    drug("SERT50", "Sertraline 50 mg tablet", Some("Zoloft"), "50 mg", Tablet, 1500, 1, Od, After, 30),
    drug("FLUOX20", "Fluoxetine 20 mg capsule", None, "20 mg", Capsule, 200, 1, Od, After, 30),
    drug("GABA300", "Gabapentin 300 mg capsule", Some("Neurontin"), "300 mg", Capsule, 600, 1, Hs, Any, 30),
    drug("FLUNA5", "Flunarizine 5 mg capsule", Some("Sibelium"), "5 mg", Capsule, 200, 1, Hs, Any, 30),
    drug("BETAH6", "Betahistine mesilate 6 mg tablet", Some("Merislon"), "6 mg", Tablet, 200, 1, Tid, After, 7),
    // Vitamins, minerals, skin
    drug("FERRO200", "Ferrous fumarate 200 mg tablet", None, "200 mg", Tablet, 50, 1, Od, After, 30),
    drug("FOLIC5", "Folic acid 5 mg tablet", None, "5 mg", Tablet, 50, 1, Od, After, 30),
    drug("VITBCO", "Vitamin B complex tablet", None, "-", Tablet, 50, 1, Tid, After, 30),
    drug("TA01CRM", "Triamcinolone acetonide 0.1% cream 5 g", None, "0.1%", Cream, 3000, 1, Bid, Any, 7),
    drug("CALAM", "Calamine lotion 60 mL", None, "8%", Lotion, 3500, 1, Tid, Any, 7),
];

/// A Thai Medicines Terminology id: six digits, distinct for each catalogue drug.
pub(crate) fn tmt_code(drug_index: usize) -> String {
    // 7919 is prime, so index * 7919 never repeats across a catalogue of a hundred-odd entries.
    format!("{}", 100_000 + drug_index * 7919)
}

pub(crate) struct LabTest {
    pub code: &'static str,
    pub loinc: &'static str,
    pub name: &'static str,
    pub result: LabResult,
    pub price_satang: i64,
}

pub(crate) enum LabResult {
    Numeric {
        unit: &'static str,
        ref_low: Option<f64>,
        ref_high: Option<f64>,
        /// The range abnormal results are drawn from; it overlaps the reference range.
        observed: (f64, f64),
        decimals: i32,
    },
    /// An antigen test reported as Positive or Negative.
    Presence,
}

#[allow(clippy::too_many_arguments)] // one positional line per test keeps the table readable
const fn numeric(
    code: &'static str,
    loinc: &'static str,
    name: &'static str,
    unit: &'static str,
    reference: (Option<f64>, Option<f64>),
    observed: (f64, f64),
    decimals: i32,
    price_satang: i64,
) -> LabTest {
    LabTest {
        code,
        loinc,
        name,
        result: LabResult::Numeric { unit, ref_low: reference.0, ref_high: reference.1, observed, decimals },
        price_satang,
    }
}

#[rustfmt::skip]
pub(crate) const LAB_TESTS: [LabTest; 14] = [
    numeric("FBS", "1558-6", "Glucose, fasting", "mg/dL", (Some(70.0), Some(100.0)), (72.0, 210.0), 0, 8000),
    numeric("HBA1C", "4548-4", "Hemoglobin A1c", "%", (Some(4.0), Some(6.0)), (5.2, 10.5), 1, 25000),
    numeric("CHOL", "2093-3", "Cholesterol, total", "mg/dL", (None, Some(200.0)), (140.0, 290.0), 0, 10000),
    numeric("LDL", "13457-7", "LDL cholesterol (calculated)", "mg/dL", (None, Some(130.0)), (70.0, 210.0), 0, 15000),
    numeric("TG", "2571-8", "Triglyceride", "mg/dL", (None, Some(150.0)), (60.0, 320.0), 0, 10000),
    numeric("CREA", "2160-0", "Creatinine", "mg/dL", (Some(0.6), Some(1.2)), (0.5, 1.9), 2, 10000),
    numeric("ALT", "1742-6", "Alanine aminotransferase (ALT)", "U/L", (Some(0.0), Some(40.0)), (10.0, 75.0), 0, 10000),
    numeric("URIC", "3084-1", "Uric acid", "mg/dL", (Some(3.5), Some(7.2)), (3.8, 10.5), 1, 10000),
    numeric("TSH", "3016-3", "TSH", "mIU/L", (Some(0.4), Some(4.0)), (0.2, 9.5), 2, 35000),
    numeric("HB", "718-7", "Hemoglobin", "g/dL", (Some(12.0), Some(16.0)), (9.5, 16.5), 1, 15000),
    numeric("WBC", "6690-2", "White blood cell count", "10*3/uL", (Some(4.5), Some(11.0)), (3.0, 16.0), 1, 15000),
    numeric("PLT", "777-3", "Platelet count", "10*3/uL", (Some(150.0), Some(450.0)), (40.0, 380.0), 0, 15000),
    numeric("UWBC", "5821-4", "WBC, urine sediment", "/HPF", (Some(0.0), Some(5.0)), (0.0, 50.0), 0, 8000),
    LabTest { code: "NS1", loinc: "75377-6", name: "Dengue virus NS1 antigen", result: LabResult::Presence, price_satang: 60000 },
];

pub(crate) fn lab_test(code: &str) -> &'static LabTest {
    LAB_TESTS.iter().find(|test| test.code == code).expect("conditions name only catalogued lab tests")
}

pub(crate) fn drug_index(code: &str) -> usize {
    DRUGS.iter().position(|drug| drug.code == code).expect("conditions name only catalogued drugs")
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConditionKind {
    Acute,
    Chronic,
    Preventive,
}

/// An illness or reason for a visit, with what the doctor writes and orders for it.
pub(crate) struct Condition {
    pub icd10: &'static str,
    pub name_en: &'static str,
    pub kind: ConditionKind,
    pub min_age: u32,
    /// Relative frequency among visits of its kind.
    pub weight: u32,
    pub complaint: &'static str,
    pub subjective: &'static str,
    pub finding: &'static str,
    pub plan: &'static str,
    pub drugs: &'static [&'static str],
    pub labs: &'static [&'static str],
    /// Whether a fever goes with it (vital signs follow).
    pub febrile: bool,
}

use ConditionKind::{Acute, Chronic, Preventive};

#[rustfmt::skip]
pub(crate) const CONDITIONS: [Condition; 27] = [
    Condition { icd10: "J00", name_en: "Acute nasopharyngitis [common cold]", kind: Acute, min_age: 0, weight: 14,
        complaint: "มีน้ำมูก คัดจมูก จาม 2 วัน", subjective: "มีน้ำมูกใส คัดจมูก จาม เจ็บคอเล็กน้อย 2 วัน ไม่มีไข้สูง",
        finding: "Nasal mucosa swelling, clear rhinorrhea; pharynx mildly injected; lungs clear.",
        plan: "Symptomatic treatment, ดื่มน้ำมากๆ พักผ่อน", drugs: &["CPM4", "PARA500", "CETI10"], labs: &[], febrile: false },
    Condition { icd10: "J069", name_en: "Acute upper respiratory infection, unspecified", kind: Acute, min_age: 0, weight: 16,
        complaint: "ไข้ ไอ เจ็บคอ 3 วัน", subjective: "ไข้ต่ำๆ ไอมีเสมหะขาว เจ็บคอ 3 วัน รับประทานอาหารได้",
        finding: "Pharynx injected, no exudate; lungs clear.",
        plan: "Symptomatic treatment, หากไข้สูงหรือหายใจเหนื่อยให้กลับมาพบแพทย์", drugs: &["PARA500", "BROM8", "DEXTRO15", "CPM4"], labs: &[], febrile: true },
    Condition { icd10: "J029", name_en: "Acute pharyngitis, unspecified", kind: Acute, min_age: 3, weight: 8,
        complaint: "เจ็บคอ กลืนลำบาก มีไข้ 2 วัน", subjective: "เจ็บคอมาก กลืนเจ็บ มีไข้ 2 วัน ไม่ไอ",
        finding: "Tonsils enlarged 2+ with exudate; tender anterior cervical nodes.",
        plan: "Antibiotic 10 days, gargle with warm saline", drugs: &["AMOX500", "PARA500", "ROXI150"], labs: &[], febrile: true },
    Condition { icd10: "J209", name_en: "Acute bronchitis, unspecified", kind: Acute, min_age: 5, weight: 6,
        complaint: "ไอมีเสมหะ 1 สัปดาห์", subjective: "ไอมีเสมหะเหลือง 1 สัปดาห์ ไข้ต่ำๆ ไม่หอบ",
        finding: "Scattered rhonchi both lungs, no crepitation.",
        plan: "Mucolytic, antibiotic if purulent sputum persists", drugs: &["AMBRO30", "AMOX500", "GUAI"], labs: &[], febrile: true },
    Condition { icd10: "J111", name_en: "Influenza with other respiratory manifestations, virus not identified", kind: Acute, min_age: 1, weight: 4,
        complaint: "ไข้สูง ปวดเมื่อยตัว ไอ 1 วัน", subjective: "ไข้สูงหนาวสั่น ปวดเมื่อยกล้ามเนื้อ ไอแห้ง 1 วัน",
        finding: "Febrile, pharynx injected; lungs clear.",
        plan: "Oseltamivir 5 days, แยกตัวจากผู้อื่น", drugs: &["OSEL75", "PARA500", "DEXTRO15"], labs: &[], febrile: true },
    Condition { icd10: "A90", name_en: "Dengue fever [classical dengue]", kind: Acute, min_age: 2, weight: 2,
        complaint: "ไข้สูงลอย 3 วัน ปวดศีรษะ", subjective: "ไข้สูงลอย 3 วัน ปวดศีรษะ ปวดกระบอกตา ปวดเมื่อยตัว ไม่มีเลือดออก",
        finding: "Flushed face, tourniquet test positive; no bleeding; liver not palpable.",
        plan: "Paracetamol only, avoid NSAIDs; CBC follow-up in 24 h; warning signs explained", drugs: &["PARA500", "ORS"], labs: &["NS1", "PLT", "WBC"], febrile: true },
    Condition { icd10: "A099", name_en: "Gastroenteritis and colitis of unspecified origin", kind: Acute, min_age: 0, weight: 8,
        complaint: "ถ่ายเหลว 5 ครั้ง คลื่นไส้ 1 วัน", subjective: "ถ่ายเป็นน้ำ 5 ครั้ง ไม่มีมูกเลือด คลื่นไส้ อาเจียน 2 ครั้ง",
        finding: "Mild dehydration; abdomen soft, hyperactive bowel sounds.",
        plan: "ORS, bland diet; return if bloody stool or unable to drink", drugs: &["ORS", "DOMP10", "LOPER2", "NORFX400"], labs: &[], febrile: false },
    Condition { icd10: "K297", name_en: "Gastritis, unspecified", kind: Acute, min_age: 12, weight: 8,
        complaint: "ปวดจุกแน่นลิ้นปี่ 1 สัปดาห์", subjective: "ปวดแสบลิ้นปี่ สัมพันธ์กับมื้ออาหาร แน่นท้อง 1 สัปดาห์",
        finding: "Epigastric tenderness, no guarding.",
        plan: "PPI 2 weeks, avoid NSAIDs, spicy food and alcohol", drugs: &["OMEP20", "ANTACID", "SIME80", "DOMP10"], labs: &[], febrile: false },
    Condition { icd10: "K30", name_en: "Functional dyspepsia", kind: Acute, min_age: 15, weight: 4,
        complaint: "ท้องอืด แน่นท้องหลังอาหาร", subjective: "ท้องอืด เรอบ่อย แน่นท้องหลังรับประทานอาหาร 2 สัปดาห์",
        finding: "Abdomen soft, not tender.",
        plan: "Prokinetic, small frequent meals", drugs: &["DOMP10", "SIME80", "FAMO20"], labs: &[], febrile: false },
    Condition { icd10: "M545", name_en: "Low back pain", kind: Acute, min_age: 18, weight: 9,
        complaint: "ปวดหลังส่วนล่าง 3 วัน", subjective: "ปวดหลังส่วนล่างหลังยกของหนัก ไม่ร้าวลงขา ไม่มีชา",
        finding: "Paravertebral muscle spasm; SLR negative; motor and sensory intact.",
        plan: "NSAID, muscle relaxant, back care advice", drugs: &["IBU400", "TOLP50", "NORG", "DICLOGEL"], labs: &[], febrile: false },
    Condition { icd10: "M791", name_en: "Myalgia", kind: Acute, min_age: 15, weight: 6,
        complaint: "ปวดกล้ามเนื้อบ่าไหล่ 1 สัปดาห์", subjective: "ปวดตึงบ่าและต้นคอ ทำงานหน้าคอมพิวเตอร์นาน",
        finding: "Trigger points over upper trapezius, full range of motion.",
        plan: "Analgesic, muscle relaxant, stretching exercise", drugs: &["NORG", "METHO500", "MSBALM", "PARA500"], labs: &[], febrile: false },
    Condition { icd10: "R51", name_en: "Headache", kind: Acute, min_age: 10, weight: 4,
        complaint: "ปวดศีรษะ 2 วัน", subjective: "ปวดตื้อๆ ทั้งศีรษะ ไม่มีคลื่นไส้ ไม่มีแขนขาอ่อนแรง",
        finding: "Neurological examination normal.",
        plan: "Analgesic, adequate sleep", drugs: &["PARA500", "IBU400"], labs: &[], febrile: false },
    Condition { icd10: "G439", name_en: "Migraine, unspecified", kind: Acute, min_age: 15, weight: 3,
        complaint: "ปวดศีรษะข้างเดียว คลื่นไส้", subjective: "ปวดศีรษะตุบๆ ข้างขวา คลื่นไส้ แพ้แสง เป็นๆ หายๆ",
        finding: "Neurological examination normal.",
        plan: "Abortive therapy, prophylaxis if frequent", drugs: &["NAPRO250", "DOMP10", "FLUNA5"], labs: &[], febrile: false },
    Condition { icd10: "N390", name_en: "Urinary tract infection, site not specified", kind: Acute, min_age: 15, weight: 5,
        complaint: "ปัสสาวะแสบขัด 2 วัน", subjective: "ปัสสาวะแสบขัด ปัสสาวะบ่อย ไม่มีไข้ ไม่ปวดหลัง",
        finding: "Suprapubic tenderness; no CVA tenderness.",
        plan: "Antibiotic, ดื่มน้ำมากๆ", drugs: &["NORFX400", "NITRO100", "CIPRO500"], labs: &["UWBC"], febrile: false },
    Condition { icd10: "L309", name_en: "Dermatitis, unspecified", kind: Acute, min_age: 0, weight: 4,
        complaint: "ผื่นคันที่แขน 1 สัปดาห์", subjective: "ผื่นแดงคันที่แขนทั้งสองข้าง 1 สัปดาห์",
        finding: "Erythematous scaly patches on both forearms.",
        plan: "Topical steroid, antihistamine, moisturiser", drugs: &["TA01CRM", "CPM4", "CALAM"], labs: &[], febrile: false },
    Condition { icd10: "L500", name_en: "Allergic urticaria", kind: Acute, min_age: 0, weight: 3,
        complaint: "ผื่นลมพิษคันทั้งตัว", subjective: "ผื่นนูนแดงคันทั่วตัว เป็นๆ หายๆ 2 วัน ไม่มีหายใจลำบาก",
        finding: "Generalised wheals; no angioedema; lungs clear.",
        plan: "Non-sedating antihistamine, avoid triggers", drugs: &["CETI10", "LORA10", "FEXO180"], labs: &[], febrile: false },
    Condition { icd10: "B001", name_en: "Herpesviral vesicular dermatitis", kind: Acute, min_age: 5, weight: 1,
        complaint: "ตุ่มน้ำใสที่ริมฝีปาก", subjective: "ตุ่มน้ำใสเจ็บแสบที่ริมฝีปาก 2 วัน",
        finding: "Grouped vesicles on erythematous base at the upper lip.",
        plan: "Topical acyclovir", drugs: &["ACYCRM", "ACY400"], labs: &[], febrile: false },
    Condition { icd10: "H811", name_en: "Benign paroxysmal vertigo", kind: Acute, min_age: 25, weight: 2,
        complaint: "เวียนศีรษะบ้านหมุนเวลาเปลี่ยนท่า", subjective: "เวียนศีรษะบ้านหมุนเวลาลุกนั่งหรือหันศีรษะ เป็นนาทีละครั้ง",
        finding: "Dix-Hallpike positive on the right; no focal deficit.",
        plan: "Epley manoeuvre, vestibular suppressant short course", drugs: &["BETAH6", "DIMEN50"], labs: &[], febrile: false },
    Condition { icd10: "E119", name_en: "Type 2 diabetes mellitus without complications", kind: Chronic, min_age: 30, weight: 12,
        complaint: "มาตามนัดติดตามโรคเบาหวาน", subjective: "ติดตามเบาหวาน รับประทานยาสม่ำเสมอ ไม่มีอาการน้ำตาลต่ำ",
        finding: "Feet: no ulcer, monofilament intact.",
        plan: "Continue medication, diet and exercise counselling; HbA1c every 3 months", drugs: &["METF500", "GLIP5", "METF850", "SITA100", "EMPA10"], labs: &["FBS", "HBA1C", "CREA"], febrile: false },
    Condition { icd10: "I10", name_en: "Essential (primary) hypertension", kind: Chronic, min_age: 30, weight: 16,
        complaint: "มาตามนัดติดตามความดันโลหิตสูง", subjective: "ติดตามความดันโลหิตสูง ไม่ปวดศีรษะ ไม่เจ็บหน้าอก",
        finding: "Heart: regular rhythm, no murmur; no pedal oedema.",
        plan: "Continue antihypertensives, low-salt diet, home BP monitoring", drugs: &["AMLO5", "ENAL5", "LOSAR50", "HCTZ25", "AMLO10", "ATEN50"], labs: &["CREA"], febrile: false },
    Condition { icd10: "E785", name_en: "Hyperlipidaemia, unspecified", kind: Chronic, min_age: 30, weight: 10,
        complaint: "มาตามนัดติดตามไขมันในเลือดสูง", subjective: "ติดตามไขมันในเลือด รับประทานยาสม่ำเสมอ ไม่มีปวดกล้ามเนื้อ",
        finding: "No xanthoma.",
        plan: "Continue statin, reduce saturated fat; lipid profile in 3 months", drugs: &["SIMVA20", "ATOR40", "ROSU10", "GEMFI600"], labs: &["CHOL", "LDL", "TG", "ALT"], febrile: false },
    Condition { icd10: "J459", name_en: "Asthma, unspecified", kind: Chronic, min_age: 5, weight: 3,
        complaint: "มาตามนัดติดตามโรคหืด", subjective: "หอบเหนื่อยกลางคืนสัปดาห์ละ 1 ครั้ง ใช้ยาพ่นฉุกเฉินบ้าง",
        finding: "Mild expiratory wheeze both lungs.",
        plan: "Controller inhaler, inhaler technique reviewed", drugs: &["SYMB160", "SALB", "MONTE10"], labs: &[], febrile: false },
    Condition { icd10: "K219", name_en: "Gastro-oesophageal reflux disease without oesophagitis", kind: Chronic, min_age: 20, weight: 4,
        complaint: "แสบร้อนกลางอก เรอเปรี้ยว", subjective: "แสบร้อนกลางอกหลังอาหาร เรอเปรี้ยว เป็นมา 1 เดือน",
        finding: "Abdomen soft, mild epigastric tenderness.",
        plan: "PPI 8 weeks, avoid late meals", drugs: &["OMEP20", "PANTO40", "ESOM40", "DOMP10"], labs: &[], febrile: false },
    Condition { icd10: "M109", name_en: "Gout, unspecified", kind: Chronic, min_age: 30, weight: 3,
        complaint: "ปวดบวมข้อนิ้วหัวแม่เท้า", subjective: "ปวดบวมแดงร้อนข้อนิ้วหัวแม่เท้าขวา 2 วัน เคยเป็นมาก่อน",
        finding: "Right first MTP joint swollen, warm and tender.",
        plan: "Colchicine for flare, urate-lowering therapy after flare", drugs: &["COLCH06", "ALLO100", "NAPRO250"], labs: &["URIC", "CREA"], febrile: false },
    Condition { icd10: "E039", name_en: "Hypothyroidism, unspecified", kind: Chronic, min_age: 20, weight: 2,
        complaint: "มาตามนัดติดตามไทรอยด์", subjective: "ติดตามภาวะไทรอยด์ต่ำ อ่อนเพลียลดลง น้ำหนักคงที่",
        finding: "Thyroid not enlarged; reflexes normal.",
        plan: "Continue levothyroxine on an empty stomach; TSH in 3 months", drugs: &["LEVOT50"], labs: &["TSH"], febrile: false },
    Condition { icd10: "Z000", name_en: "General medical examination", kind: Preventive, min_age: 0, weight: 8,
        complaint: "ตรวจสุขภาพประจำปี", subjective: "มาตรวจสุขภาพประจำปี ไม่มีอาการผิดปกติ",
        finding: "Physical examination within normal limits.",
        plan: "Health advice; results reviewed", drugs: &["VITBCO", "FOLIC5"], labs: &["FBS", "CHOL", "HB", "CREA"], febrile: false },
    Condition { icd10: "Z251", name_en: "Need for immunization against influenza", kind: Preventive, min_age: 1, weight: 3,
        complaint: "ฉีดวัคซีนไข้หวัดใหญ่", subjective: "มาฉีดวัคซีนไข้หวัดใหญ่ประจำปี ไม่มีไข้ ไม่มีประวัติแพ้วัคซีน",
        finding: "Afebrile, no contraindication to vaccination.",
        plan: "Influenza vaccine given, observed 30 minutes", drugs: &["PARA500"], labs: &[], febrile: false },
];

pub(crate) struct Name {
    pub th: &'static str,
    pub en: &'static str,
}

const fn name(th: &'static str, en: &'static str) -> Name {
    Name { th, en }
}

#[rustfmt::skip]
pub(crate) const MALE_FIRST_NAMES: [Name; 30] = [
    name("สมชาย", "Somchai"), name("สมศักดิ์", "Somsak"), name("ประเสริฐ", "Prasert"), name("วิชัย", "Wichai"),
    name("สุรชัย", "Surachai"), name("ธนากร", "Thanakorn"), name("ณัฐพล", "Nattaphon"), name("กิตติพงษ์", "Kittiphong"),
    name("อนุชา", "Anucha"), name("ปิยะพงษ์", "Piyaphong"), name("ชัยวัฒน์", "Chaiwat"), name("พงศกร", "Phongsakorn"),
    name("วีรยุทธ", "Weerayut"), name("ธีรพงษ์", "Theeraphong"), name("ศุภชัย", "Supachai"), name("อภิชาติ", "Aphichat"),
    name("ภานุวัฒน์", "Phanuwat"), name("สุทธิพงษ์", "Sutthiphong"), name("บุญมี", "Boonmee"), name("เอกชัย", "Ekkachai"),
    name("ธนวัฒน์", "Thanawat"), name("จิรายุ", "Jirayu"), name("ปกรณ์", "Pakorn"), name("ณัฐวุฒิ", "Nattawut"),
    name("ศักดิ์ชัย", "Sakchai"), name("มานพ", "Manop"), name("สมพงษ์", "Somphong"), name("อรรถพล", "Atthaphon"),
    name("กฤษณะ", "Kritsana"), name("วรวุฒิ", "Worawut"),
];

#[rustfmt::skip]
pub(crate) const FEMALE_FIRST_NAMES: [Name; 30] = [
    name("สมหญิง", "Somying"), name("มาลี", "Malee"), name("สุดารัตน์", "Sudarat"), name("วันเพ็ญ", "Wanphen"),
    name("กาญจนา", "Kanchana"), name("นภัสสร", "Napatsorn"), name("ศิริพร", "Siriporn"), name("อรุณี", "Arunee"),
    name("พรทิพย์", "Pornthip"), name("รัตนา", "Rattana"), name("สุภาพร", "Supaporn"), name("ปิยะนุช", "Piyanuch"),
    name("จันทร์เพ็ญ", "Chanphen"), name("ณัฐธิดา", "Natthida"), name("กมลวรรณ", "Kamonwan"), name("ธิดารัตน์", "Thidarat"),
    name("วรรณา", "Wanna"), name("อัญชลี", "Anchalee"), name("เพ็ญศรี", "Pensri"), name("ชนิดา", "Chanida"),
    name("พิมพ์ชนก", "Pimchanok"), name("ปวีณา", "Paweena"), name("สุนิสา", "Sunisa"), name("นิภาพร", "Nipaporn"),
    name("ลัดดา", "Ladda"), name("อารีย์", "Aree"), name("บุษบา", "Butsaba"), name("วิไลวรรณ", "Wilaiwan"),
    name("ศศิธร", "Sasithorn"), name("กนกวรรณ", "Kanokwan"),
];

#[rustfmt::skip]
pub(crate) const LAST_NAMES: [Name; 36] = [
    name("ใจดี", "Jaidee"), name("สุขสวัสดิ์", "Suksawat"), name("ศรีสุข", "Srisuk"), name("วงศ์สวัสดิ์", "Wongsawat"),
    name("แสงทอง", "Saengthong"), name("ทองดี", "Thongdee"), name("บุญมา", "Boonma"), name("รัตนพันธ์", "Rattanaphan"),
    name("เจริญสุข", "Charoensuk"), name("พัฒนกุล", "Phatthanakun"), name("สมบูรณ์", "Sombun"), name("ศรีวงศ์", "Sriwong"),
    name("จันทร์แก้ว", "Chankaew"), name("มั่นคง", "Mankhong"), name("ประเสริฐศรี", "Prasertsri"), name("กิตติวงศ์", "Kittiwong"),
    name("อินทร์แก้ว", "Inkaew"), name("ชัยมงคล", "Chaimongkol"), name("พรหมมา", "Phromma"), name("แก้วมณี", "Kaewmanee"),
    name("ศักดิ์ดี", "Sakdee"), name("วัฒนชัย", "Wattanachai"), name("สุวรรณรัตน์", "Suwannarat"), name("ธนสาร", "Thanasan"),
    name("บุญเรือง", "Boonruang"), name("ทองคำ", "Thongkham"), name("เพชรรัตน์", "Phetcharat"), name("นาคสุข", "Naksuk"),
    name("ยิ้มแย้ม", "Yimyam"), name("สายทอง", "Saithong"), name("ปัญญาดี", "Panyadee"), name("ศรีสวัสดิ์", "Srisawat"),
    name("โชติช่วง", "Chotchuang"), name("มีสุข", "Meesuk"), name("คำแก้ว", "Khamkaew"), name("ดวงดี", "Duangdee"),
];

/// Names of a foreign nationality, in Latin script and as Thai records transliterate them.
pub(crate) struct ForeignNames {
    pub country: &'static str,
    /// Relative share among foreign patients.
    pub weight: u32,
    pub passport_prefix: &'static str,
    pub male: &'static [Name],
    pub female: &'static [Name],
    pub last: &'static [Name],
}

#[rustfmt::skip]
pub(crate) const FOREIGNERS: [ForeignNames; 5] = [
    ForeignNames { country: "MMR", weight: 45, passport_prefix: "MC",
        male: &[name("อ่อง", "Aung"), name("จ่อ", "Kyaw"), name("ซอ", "Zaw")],
        female: &[name("ซู", "Su"), name("ทีดา", "Thida"), name("เอ", "Aye")],
        last: &[name("ทุน", "Tun"), name("วิน", "Win"), name("อู", "Oo"), name("หม่อง", "Maung")] },
    ForeignNames { country: "KHM", weight: 15, passport_prefix: "N",
        male: &[name("ดารา", "Dara"), name("วิบูล", "Vibol")],
        female: &[name("ศรีมม", "Sreymom"), name("จันที", "Chanthy")],
        last: &[name("ซก", "Sok"), name("เจีย", "Chea"), name("แก้ว", "Keo")] },
    ForeignNames { country: "LAO", weight: 15, passport_prefix: "P",
        male: &[name("คำพอน", "Khamphone"), name("สุกสะหวัน", "Souksavanh")],
        female: &[name("จันทะลา", "Chanthala"), name("บัวพัน", "Bouaphanh")],
        last: &[name("พมมะจัน", "Phommachanh"), name("วงสะหวัน", "Vongsavanh"), name("สีสะหวาด", "Sisavath")] },
    ForeignNames { country: "GBR", weight: 12, passport_prefix: "",
        male: &[name("เจมส์", "James"), name("โอลิเวอร์", "Oliver")],
        female: &[name("เอมิลี่", "Emily"), name("ชาร์ล็อต", "Charlotte")],
        last: &[name("สมิธ", "Smith"), name("บราวน์", "Brown"), name("เทย์เลอร์", "Taylor")] },
    ForeignNames { country: "JPN", weight: 13, passport_prefix: "TK",
        male: &[name("ฮารุโตะ", "Haruto"), name("เคนตะ", "Kenta")],
        female: &[name("ยูกิ", "Yuki"), name("ซากุระ", "Sakura")],
        last: &[name("ซาโต้", "Sato"), name("ทานากะ", "Tanaka"), name("ซูซูกิ", "Suzuki")] },
];

pub(crate) const SPECIALTIES: [&str; 8] = [
    "เวชปฏิบัติทั่วไป",
    "เวชศาสตร์ครอบครัว",
    "อายุรศาสตร์",
    "กุมารเวชศาสตร์",
    "สูติศาสตร์และนรีเวชวิทยา",
    "ออร์โธปิดิกส์",
    "ตจวิทยา",
    "โสต ศอ นาสิกวิทยา",
];

pub(crate) const ALLERGIES: [&str; 8] = [
    "แพ้ยา Penicillin (ผื่นคัน)",
    "แพ้ยา Amoxicillin (ผื่นลมพิษ)",
    "แพ้ยากลุ่ม Sulfonamides (Co-trimoxazole)",
    "แพ้ยา Aspirin (หอบ)",
    "แพ้ยากลุ่ม NSAIDs (ตาบวม)",
    "แพ้ยา Ibuprofen (ผื่นแดง)",
    "แพ้อาหารทะเล (กุ้ง)",
    "แพ้ยา Allopurinol (ผื่น SJS)",
];

/// Thai blood groups by population share (per thousand): Rh-negative is rare in Thailand.
pub(crate) const BLOOD_GROUPS: [(&str, u32); 8] =
    [("O+", 380), ("B+", 335), ("A+", 217), ("AB+", 63), ("O-", 2), ("B-", 1), ("A-", 1), ("AB-", 1)];

/// Appointment types with the reason the clinic writes for them.
pub(crate) const FOLLOW_UP: (&str, &str) = ("follow_up", "ติดตามอาการและรับยาต่อเนื่อง");

pub(crate) const APPOINTMENT_REASONS: [(&str, &str); 6] = [
    FOLLOW_UP,
    ("check_up", "ตรวจสุขภาพประจำปี"),
    ("new", "ปรึกษาแพทย์ครั้งแรก"),
    ("procedure", "ทำแผลและตัดไหม"),
    ("telemedicine", "ปรึกษาแพทย์ทางไกล ติดตามผลเลือด"),
    ("vaccination", "ฉีดวัคซีนไข้หวัดใหญ่"),
];

/// Notes the front desk leaves on a booking.
pub(crate) const APPOINTMENT_NOTES: [&str; 4] =
    ["งดน้ำงดอาหารหลังเที่ยงคืน", "นำผลตรวจเลือดครั้งก่อนมาด้วย", "ผู้ป่วยขอพบแพทย์หญิง", "โทรยืนยันนัดล่วงหน้า 1 วัน"];

/// What a visit's service fee line is called on a claim.
pub(crate) const SERVICE_FEE: (&str, &str) = ("SV001", "ค่าบริการทางการแพทย์ผู้ป่วยนอก");

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn conditions_name_only_catalogued_drugs_and_labs() {
        let drugs: HashSet<_> = DRUGS.iter().map(|d| d.code).collect();
        let labs: HashSet<_> = LAB_TESTS.iter().map(|l| l.code).collect();
        for condition in &CONDITIONS {
            assert!(!condition.drugs.is_empty(), "{}", condition.icd10);
            for code in condition.drugs {
                assert!(drugs.contains(code), "{} names unknown drug {code}", condition.icd10);
            }
            for code in condition.labs {
                assert!(labs.contains(code), "{} names unknown lab {code}", condition.icd10);
            }
        }
    }

    #[test]
    fn drug_codes_and_tmt_codes_are_unique_six_digit_strings() {
        let codes: HashSet<_> = DRUGS.iter().map(|d| d.code).collect();
        assert_eq!(codes.len(), DRUGS.len());
        let tmt: HashSet<_> = (0..DRUGS.len()).map(tmt_code).collect();
        assert_eq!(tmt.len(), DRUGS.len());
        assert!(tmt.iter().all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())));
    }

    #[test]
    fn icd10_codes_are_written_without_a_dot() {
        for condition in &CONDITIONS {
            assert!(!condition.icd10.contains('.'));
            assert!(condition.icd10.len() >= 3 && condition.icd10.len() <= 5);
        }
    }
}
