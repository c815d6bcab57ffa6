"""Hand-written lookup tables for :mod:`netral_nlp.normalize`.

Written by the project for Indonesian social-media text; not derived from any dataset.
Keys are lower-case tokens as they appear after URL/mention/emoji handling and
repeated-letter squeezing; values are the standard forms (one or more words).
"""

from __future__ import annotations

SLANG: dict[str, str] = {
    # negation and particles
    "gak": "tidak", "ga": "tidak", "gk": "tidak", "nggak": "tidak", "ngga": "tidak",
    "enggak": "tidak", "engga": "tidak", "kagak": "tidak", "ndak": "tidak", "nda": "tidak",
    "tdk": "tidak", "tak": "tidak", "g": "tidak", "ora": "tidak", "teu": "tidak",
    "blm": "belum", "blom": "belum", "lom": "belum", "belom": "belum",
    "udh": "sudah", "udah": "sudah", "sdh": "sudah", "dah": "sudah", "udeh": "sudah", "uda": "sudah",
    "lg": "lagi", "lgi": "lagi", "agi": "lagi",
    "aja": "saja", "aj": "saja", "ajah": "saja", "doang": "saja",
    "jg": "juga", "jga": "juga", "juga2": "juga",
    "bgt": "banget", "bngt": "banget", "bgd": "banget", "bet": "banget", "pisan": "banget",
    "emg": "memang", "emang": "memang", "mmg": "memang",
    "krn": "karena", "karna": "karena", "krna": "karena", "soalnya": "karena",
    "dgn": "dengan", "dg": "dengan", "dng": "dengan", "ama": "sama", "sm": "sama", "sma": "sama",
    "yg": "yang", "yng": "yang", "ygy": "ya guys ya",
    "utk": "untuk", "untk": "untuk", "buat": "untuk", "bwt": "untuk",
    "dr": "dari", "dri": "dari", "pd": "pada", "kpd": "kepada", "ttg": "tentang",
    "tp": "tapi", "tpi": "tapi", "tapi2": "tapi", "sbg": "sebagai", "spt": "seperti", "kyk": "kayak",
    "kek": "kayak", "kaya": "kayak", "kyak": "kayak",
    "klo": "kalau", "kalo": "kalau", "klu": "kalau", "kl": "kalau",
    "gmn": "bagaimana", "gimana": "bagaimana", "gmna": "bagaimana", "bgmn": "bagaimana",
    "knp": "kenapa", "napa": "kenapa", "knapa": "kenapa",
    "sy": "saya", "sya": "saya", "aku": "saya", "aq": "saya", "gw": "saya", "gue": "saya",
    "gua": "saya", "w": "saya", "ane": "saya",
    "lu": "kamu", "lo": "kamu", "loe": "kamu", "elu": "kamu", "km": "kamu", "kmu": "kamu",
    "antum": "kamu", "ente": "kamu",
    "org": "orang", "orng": "orang", "ortu": "orang tua", "bokap": "ayah", "nyokap": "ibu",
    "sdg": "sedang", "lgsg": "langsung", "langsg": "langsung", "bs": "bisa", "bsa": "bisa",
    "hrs": "harus", "msh": "masih", "masi": "masih", "skrg": "sekarang", "skrang": "sekarang",
    "sekarang2": "sekarang", "bru": "baru", "br": "baru", "td": "tadi", "tdi": "tadi",
    "bsk": "besok", "besok2": "besok", "kmrn": "kemarin", "kemaren": "kemarin", "kmarin": "kemarin",
    "smua": "semua", "smw": "semua", "sm2": "sama-sama", "jd": "jadi", "jdi": "jadi",
    "trs": "terus", "trus": "terus", "ttp": "tetap", "tetep": "tetap", "sj": "saja",
    "bnyk": "banyak", "byk": "banyak", "dikit": "sedikit", "sdkt": "sedikit",
    "cm": "cuma", "cuman": "cuma", "doank": "saja", "aje": "saja",
    "pengen": "ingin", "pgn": "ingin", "pingin": "ingin", "mo": "mau",
    "tau": "tahu", "tw": "tahu", "taw": "tahu", "gatau": "tidak tahu", "gtw": "tidak tahu",
    "liat": "lihat", "liad": "lihat", "ngeliat": "melihat", "nonton": "menonton",
    "ngasih": "memberi", "ngasi": "memberi", "kasi": "kasih", "dikasi": "dikasih",
    "bilang": "berkata", "ngomong": "berbicara", "ngmg": "berbicara", "ngmng": "berbicara",
    "nyoblos": "mencoblos", "nyoblosnya": "mencoblosnya", 
    "milih": "memilih", "pilih2": "pilih", 
    "bikin": "membuat", "bkin": "membuat", "dibikin": "dibuat",
    "nyebar": "menyebar", "nyebarin": "menyebarkan", "sebarin": "sebarkan",
    "ngebagi": "membagi", "bagiin": "bagikan", "dibagiin": "dibagikan", "bagi2": "bagi-bagi",
    "ngaku": "mengaku", "ngajak": "mengajak", "nyuruh": "menyuruh", 
    "kampanyein": "kampanyekan", "dukung2": "dukung",
    # frequent nouns and words in election talk
    "duit": "uang", "doku": "uang", "fulus": "uang", "cuan": "uang", "duid": "uang",
    "amplopan": "amplop", "sembakonya": "sembako",
    "pilpres": "pemilihan presiden", "pileg": "pemilihan legislatif",
    "pilgub": "pemilihan gubernur", "pilbup": "pemilihan bupati", "pilwalkot": "pemilihan wali kota",
    "capres": "calon presiden", "cawapres": "calon wakil presiden", "cagub": "calon gubernur",
    "cawagub": "calon wakil gubernur", "cabup": "calon bupati", "cawabup": "calon wakil bupati",
    "cawalkot": "calon wali kota", "caleg": "calon legislatif", "kades": "kepala desa",
    "kadis": "kepala dinas", "pemkab": "pemerintah kabupaten", "pemkot": "pemerintah kota",
    "pemprov": "pemerintah provinsi", "pemda": "pemerintah daerah",
    "medsos": "media sosial", "sosmed": "media sosial", "hp": "ponsel", "wa": "whatsapp",
    "fb": "facebook", "ig": "instagram", "yt": "youtube", "tl": "linimasa",
    "hoax": "hoaks", "hoak": "hoaks", "hoaxs": "hoaks", "hox": "hoaks", "fitnah2": "fitnah",
    
    "paslon": "pasangan calon", "timses": "tim sukses", "jurkam": "juru kampanye",
    "panwas": "pengawas", "panwaslu": "pengawas pemilu",
    
    "bpk": "bapak", "pak": "bapak", "bp": "bapak", "ibu2": "ibu-ibu", "bu": "ibu", "mbak": "kakak",
    "mas": "kakak", "bro": "saudara", "sis": "saudari", "gan": "juragan",
    "tmn": "teman", "temen": "teman", "temen2": "teman-teman", "sodara": "saudara",
    "rmh": "rumah", "rumh": "rumah",
    "kntr": "kantor", "sklh": "sekolah", "sekolahan": "sekolah",
    "mesjid": "masjid", "musholla": "musala", "mushola": "musala", "mushala": "musala",
    "klenteng": "kelenteng",
    
    # feelings, fillers and internet talk
    "wkwk": "", "wkwkwk": "", "wkwkw": "", "wk": "", "awkwk": "", "haha": "", "hehe": "",
    "hihi": "", "xixi": "", "kwkw": "", "lol": "", "btw": "ngomong-ngomong",
    "anjir": "astaga", "anjay": "astaga", "njir": "astaga", "buset": "astaga", "busyet": "astaga",
    "astaghfirullah": "astagfirullah",
    "mantul": "mantap", "mantab": "mantap", "mantep": "mantap",
    "gokil": "gila", "gila2an": "gila-gilaan", 
    "ngakak": "tertawa", "serem": "seram", 
    "bener": "benar", "bnr": "benar", "bner": "benar", "beneran": "benar",
    "sebenernya": "sebenarnya", "sbnrnya": "sebenarnya",
    "dpt": "dapat", "dapet": "dapat", "dpet": "dapat",
    "ato": "atau", "atw": "atau", "ataw": "atau",
    "nih": "ini", "ni": "ini", "tuh": "itu", "tu": "itu", "gitu": "begitu", "gt": "begitu",
    "gini": "begini", "gni": "begini", "sgt": "sangat",
    "jgn": "jangan", "jngn": "jangan", "jangn": "jangan",
    "dlm": "dalam", "dalem": "dalam", "ntar": "nanti", "nnti": "nanti", "ntr": "nanti",
    "sampe": "sampai", "smpe": "sampai", "smp": "sampai",
    "abis": "habis", "abs": "habis", "dah2": "sudah",
    "makasih": "terima kasih", "mksh": "terima kasih", "trmksh": "terima kasih", "thx": "terima kasih",
    "plis": "tolong", "pls": "tolong", "tlg": "tolong", "tolongin": "tolong",
    "info2": "informasi", "infonya": "informasinya", "inpo": "info",
    
    "oknum2": "oknum", "aparat2": "aparat",
}
"""Slang, abbreviation and colloquial forms → standard Indonesian. An empty value drops the token."""

__all__ = ["SLANG"]
