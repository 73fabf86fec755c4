"""Traditional characters read as their simplified forms, one character for one.

Documents from Hong Kong, Macao and Taiwan style typesetting, or old web copies,
write 號, 牽頭單位, 責任單位. The cleaning stage folds every line into a matching
key (:func:`gazette.clean.fold`) character for character; this table joins that
fold, so every recogniser reads 牽頭單位 as 牵头单位 while the text users see
stays as written. Only characters whose simplified form is a single character
and never ambiguous in government prose are listed.
"""

from __future__ import annotations

_PAIRS = (
    "號号牽牵頭头單单責责負负門门縣县區区長长領领導导時时間间務务項项組组織织關关於于發发辦办廳厅會会進进個个"
    "實实應应協协調调們们為为這这說说對对與与從从來来後后麼么裡里開开當当過过還还將将並并幹干產产業业"
    "農农機机構构規规劃划區区書书記记黨党員员鄉乡鎮镇街街衛卫財财稅税務务資资金金價价際际環环境境護护"
    "設设備备證证據据數数據据統统計计劃划歸归屬属層层級级範范圍围區区級级條条標标準准質质檢检驗验"
    "執执紀纪監监督督營营運运輸输電电網网氣气糧粮貿贸衛卫健健體体育育醫医療疗險险養养勞劳動动"
    "購购買买賣卖優优惠惠補补貼贴獎奖勵励辦办處处聯联絡络報报告告總总結结彙汇編编審审批批覈核準准"
    "適适當当積积極极穩稳定定邊边濟济礎础築筑線线點点試试驗验區区塊块鏈链網网絡络雲云據据庫库"
    "創创新新現现狀状態态確确選选舉举禮礼樂乐藝艺術术圖图書书館馆廣广電电視视聞闻傳传媒媒"
    "車车輛辆鐵铁軌轨橋桥隧隧陸陆場场園园區区鄰邻裝装倉仓儲储貨货郵邮遞递"
    "屆届屬属戶户籍籍婦妇兒儿童童殘残疾疾災灾濟济貧贫脫脱鞏巩固固"
    "歲岁錢钱銀银貸贷債债權权認认訂订約约簽签額额費费價价廠厂礦矿煉炼鋼钢鋁铝"
    "級级縣县轄辖屬属鄉乡鎮镇村村鄰邻裏里"
    "週周內内餘余頒颁佈布於于訊讯宣宣講讲話话議议決决問问題题難难"
    "節节慶庆誕诞曆历陽阳陰阴曆历季季"
    "責责專专門门軍军警警務务團团隊队屆届類类項项細细則则規规範范"
    "點点採采減减輕轻擔担兩两萬万億亿億亿華华僑侨臺台灣湾澳澳"
    "韓韩俄俄歐欧亞亚東东西西極极"
    "樓楼層层壩坝湧涌澗涧溝沟廁厕垃垃圾圾潔洁綠绿態态"
    "檔档錄录製制綫线紙纸筆笔賬账單单據据"
    "負负擔担獲获達达遠远運运週周邊边"
)
TRADITIONAL: dict[str, str] = {
    _PAIRS[i]: _PAIRS[i + 1] for i in range(0, len(_PAIRS) - 1, 2) if _PAIRS[i] != _PAIRS[i + 1]
}
